import ArgumentParser

@main
struct Continuo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "continuo",
        abstract: "A machine accompanist for live MIDI: learns from MIDI files, plays along over JACK.",
        version: "0.1.0",
        subcommands: [Prepare.self, Inspect.self, Train.self, Generate.self, Eval.self, Classify.self, Render.self, Transcribe.self, PlotCommand.self, Keep.self, DaemonCommand.self, Ctl.self, LV2Command.self, Baseline.self, ModelCommand.self, Bench.self]
    )
}
