import ArgumentParser
import ContinuoModel
import ContinuoOffline
import Foundation

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank styles for MIDI files by the likelihood the style-conditioned model gives them.",
        discussion: "With --data TOKENS.ctok, reports the accuracy on that file's validation pieces instead.")

    @Argument(help: "MIDI files.") var files: [String] = []
    @Option(help: "Model file (default: the bundled model).") var model: String?
    @Option(help: "Token file whose validation split to score.") var data: String?
    @Flag(help: "JSON output.") var json = false

    func run() throws {
        do {
            guard let path = model ?? ModelStore.defaultModelPath() else { throw CLIError("no model: pass --model FILE (models/default.safetensors was not found)") }
            let loaded = try ModelStore.load(path)
            let styles = ModelStore.styles(of: loaded)
            guard !styles.isEmpty else { throw CLIError("\(path) was trained without style tokens; classify needs a style-conditioned model") }
            MathThreads.set(1)
            let inference = LSTMInference(model: loaded, precision: .int8, maxBatch: styles.count)
            if let data {
                let started = Date()
                let accuracy = try StyleClassifier.accuracy(tokenFile: data, inference: inference, styles: styles)
                if json { print(try JSONOutput.string(accuracy)); return }
                print("accuracy \(Inspection.fixedString(accuracy.rate * 100, 1))% (\(accuracy.correct) of \(accuracy.pieces) validation pieces; always guessing the commonest style: \(Inspection.fixedString(accuracy.chance * 100, 1))%) in \(Inspection.fixedString(Date().timeIntervalSince(started), 1)) s")
                for (truth, predicted) in accuracy.perStyle.sorted(by: { $0.key < $1.key }) {
                    print("  \(truth): " + predicted.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                }
                return
            }
            guard !files.isEmpty else { throw ValidationError("give MIDI files, or --data TOKENS.ctok") }
            var rankings: [String: StyleClassifier.Ranking] = [:]
            for file in files {
                let bytes = try FileBytes.read(file)
                guard case let .encoded(piece) = PieceEncoder(minimumNotes: 1).encode(bytes, name: file, style: nil) else {
                    throw CLIError("\(file): no notes to classify")
                }
                let ranking = try StyleClassifier.rank(events: StyleClassifier.events(of: piece.tokens), inference: inference, styles: styles)
                rankings[file] = ranking
                if !json {
                    print(file)
                    for entry in ranking.entries {
                        print("  \(entry.style): \(Inspection.fixedString(entry.probability * 100, 1))% (log-likelihood \(Inspection.fixedString(entry.logLikelihood, 1)))")
                    }
                }
            }
            if json { print(try JSONOutput.string(rankings)) }
        } catch let error as CLIError {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CLIError(error)
        }
    }
}

enum JSONOutput {
    static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
