import ArgumentParser
import ContinuoOffline
import Foundation

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a MIDI file holds: tracks, channels, programs, tempo map, notes.")

    @Argument(help: "MIDI files.")
    var files: [String]

    @Flag(help: "Machine-readable JSON (an array, one object per file).")
    var json = false

    func run() throws {
        var reports: [Inspection] = []
        var failures = 0
        for path in files {
            do {
                let read = try MIDIFileLoader.read(path)
                reports.append(Inspection(file: path, read: read))
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(reports), as: UTF8.self))
        } else {
            print(reports.map(\.text).joined(separator: "\n\n"))
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
