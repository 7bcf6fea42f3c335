import ArgumentParser
import ContinuoOffline
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures (use a release build).",
        subcommands: [BenchParse.self, BenchModel.self])
}

struct BenchParse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Notes per second for reading MIDI files and extracting notes, one thread, files preloaded.")

    @Argument(help: "Folders of MIDI files.")
    var folders: [String]

    @Option(help: "Timed rounds; the median is reported.")
    var rounds = 7

    func run() throws {
        #if DEBUG
        print("note: this is a debug build; use `swift run -c release continuo bench parse` for real figures")
        #endif
        let result = try ParseBenchmark(roots: folders, rounds: rounds).run()
        let megabytes = Double(result.bytes) / 1e6
        print("files \(result.files), \(Inspection.fixedString(megabytes, 2)) MB, \(result.notes) notes")
        print("read + extract notes: median \(Inspection.fixedString(result.median * 1e3, 1)) ms per pass, "
              + "\(Inspection.fixedString(Double(result.notes) / result.median / 1e6, 2)) M notes/s, "
              + "\(Inspection.fixedString(megabytes / result.median, 1)) MB/s")
        print("read only:            median \(Inspection.fixedString(result.parseOnlyMedian * 1e3, 1)) ms per pass, "
              + "\(Inspection.fixedString(Double(result.notes) / result.parseOnlyMedian / 1e6, 2)) M notes/s")
    }
}

struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "LSTM step latency (median, p99), batched throughput, training tokens/s and int8 accuracy for a shape.")

    @Option(help: "Vocabulary size.") var vocab = 388
    @Option(help: "Embedding size.") var embed = 256
    @Option(help: "Hidden units per layer.") var hidden = 512
    @Option(help: "LSTM layers.") var layers = 2
    @Option(help: "Timed single steps.") var steps = 3000
    @Option(help: "Rows of the batched step.") var batch = 8
    @Option(help: "Training batch rows.") var trainBatch = 64
    @Option(help: "Training window length.") var trainSeq = 128
    @Option(help: "Timed training steps.") var trainSteps = 5
    @Option(help: "BLAS threads for training.") var trainThreads = 2

    func run() throws {
        #if DEBUG
        print("note: this is a debug build; use `swift run -c release continuo bench model` for real figures")
        #endif
        var o = ModelBenchmark.Options()
        o.vocab = vocab; o.embed = embed; o.hidden = hidden; o.layers = layers; o.steps = steps; o.batch = batch
        o.trainBatch = trainBatch; o.trainSequence = trainSeq; o.trainSteps = trainSteps; o.trainThreads = trainThreads
        try ModelBenchmark(options: o).run()
    }
}
