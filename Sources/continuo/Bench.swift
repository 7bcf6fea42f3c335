import ArgumentParser
import ContinuoOffline
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures (use a release build).",
        subcommands: [BenchParse.self])
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
