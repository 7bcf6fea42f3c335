import ArgumentParser
import ContinuoEncoding
import ContinuoMIDI
import ContinuoOffline
import Foundation

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge a model and its output: held-out likelihood, and musical statistics of generated vs human music.",
        discussion: """
        --data scores a model on held-out music (a token file's validation split, or a folder of MIDI files): \
        nats per event and bits per note over every event of every piece, each piece from a fresh state. \
        --generated with --reference compares two folders of MIDI files feature by feature \
        (Yang & Lerch 2018: overlap area, 1 = indistinguishable, and KL divergence), \
        writing REPORT.json and REPORT.md.
        """)

    @Option(help: "Model file (default: the bundled model).") var model: String?
    @Option(help: "Held-out data: a .ctok token file (its validation split) or a folder of MIDI files.") var data: String?
    @Option(help: "Folder of generated MIDI files.") var generated: String?
    @Option(help: "Folder (or .ctok validation split's source folder) of human MIDI files to compare with.") var reference: String?
    @Option(help: "Report path prefix (writes .json and .md).") var report = "eval-report"
    @Option(help: "Pieces scored side by side (rows of one matrix product per step).") var batch = 32
    @Option(help: "Threads for the matrix products.") var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        guard data != nil || (generated != nil && reference != nil) else {
            throw ValidationError("give --data (likelihood) and/or --generated with --reference (statistics)")
        }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        var results = Report()
        var markdown = ["# Continuo evaluation", ""]
        do {
            if let data {
                guard let path = model ?? ModelStore.defaultModelPath() else { throw CLIError("no model: pass --model FILE") }
                let loaded = try ModelStore.load(path)
                let pieces = try ModelEvaluation.negativeLogLikelihood(model: loaded, pieces: try ModelEvaluation.pieces(from: data),
                                                                         batch: batch, threads: threads)
                let unscored = pieces.unscoredPieces == 0 ? "" : ", \(pieces.unscoredPieces) too short to score (under two tokens)"
                print("\(path) on \(data): \(Inspection.fixedString(pieces.natsPerEvent, 4)) nats/event, \(Inspection.fixedString(pieces.bitsPerNote, 3)) bits/note (\(pieces.pieces) pieces\(unscored), \(pieces.events) events scored, \(Inspection.fixedString(pieces.seconds, 1)) s)")
                results.likelihood = pieces
                markdown += ["## Held-out likelihood", "", "Model `\(path)` on `\(data)`: **\(Inspection.fixedString(pieces.natsPerEvent, 4)) nats per event**, **\(Inspection.fixedString(pieces.bitsPerNote, 3)) bits per note** over all \(pieces.events) events of \(pieces.pieces) pieces\(unscored).", ""]
            }
            if let generated, let reference {
                let g = try Self.features(generated), r = try Self.features(reference)
                guard !g.isEmpty, !r.isEmpty else { throw CLIError("need at least one piece with two notes in each folder") }
                let comparison = SetComparison(reference: r, generated: g)
                print(comparison.markdown)
                results.statistics = comparison
                markdown += ["## Musical statistics: `\(generated)` against `\(reference)`", "", comparison.markdown, ""]
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(error)
        }
        try FileBytes.write(Array((try JSONOutput.string(results) + "\n").utf8), to: report + ".json")
        try FileBytes.write(Array(markdown.joined(separator: "\n").utf8), to: report + ".md")
        print("wrote \(report).json and \(report).md")
    }

    /// REPORT.json: the parts that were asked for; a part not asked for is left out.
    struct Report: Encodable {
        var likelihood: ModelEvaluation.Result?
        var statistics: SetComparison?
    }

    static func features(_ folder: String) throws -> [MusicalFeatures] {
        try CorpusScanner.scan([folder]).compactMap { file in
            guard let read = try? MIDIFileLoader.read(file.path) else { return nil }
            let notes = quantize(NoteExtractor().performance(of: read.file).notes)
            return MusicalFeatures(notes: notes)
        }
    }
}
