import ArgumentParser
import ContinuoOffline

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw pictures: piano rolls, training curves, pitch-class heatmaps (PNG or SVG, by the output's extension).",
        subcommands: [PlotRoll.self, PlotCurves.self, PlotPitchClasses.self])
}

struct PlotRoll: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roll", abstract: "Piano roll of a MIDI file: pitch against time, velocity as shade, primer and generated parts apart.")
    @Argument(help: "MIDI file.") var input: String
    @Option(name: .shortAndLong, help: "Picture to write (.png or .svg).") var output: String?
    @Option(help: "Title.") var title: String?

    func run() throws {
        let target = output ?? (input.hasSuffix(".mid") ? String(input.dropLast(4)) : input) + ".png"
        do {
            try Pictures.write(try Pictures.pianoRoll(midi: input, title: title), to: target)
        } catch { throw CLIError(error) }
        print("wrote \(target)")
    }
}

struct PlotCurves: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curves", abstract: "Training curves from the CSV log `continuo train` writes (MODEL.csv).")
    @Argument(help: "Training log (.csv).") var log: String
    @Option(name: .shortAndLong, help: "Picture to write (.png or .svg).") var output = "training.png"
    @Option(help: "Title.") var title: String?

    func run() throws {
        do {
            try Pictures.write(try Pictures.trainingCurves(log: log, title: title), to: output)
        } catch { throw CLIError(error) }
        print("wrote \(output)")
    }
}

struct PlotPitchClasses: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pitch-classes", abstract: "Heatmap of pitch-class transitions (or, with --histogram, the pitch-class histogram) of a MIDI file or folder.")
    @Argument(help: "MIDI file or folder.") var input: String
    @Option(name: .shortAndLong, help: "Picture to write (.png or .svg).") var output = "pitch-classes.png"
    @Flag(help: "The 12-bin histogram instead of the transition matrix.") var histogram = false

    func run() throws {
        do {
            try Pictures.write(try Pictures.pitchClassHeatmap(input, histogramOnly: histogram), to: output)
        } catch { throw CLIError(error) }
        print("wrote \(output)")
    }
}
