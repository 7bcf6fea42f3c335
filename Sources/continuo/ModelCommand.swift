import ArgumentParser
import ContinuoEncoding
import ContinuoModel
import ContinuoOffline
import Foundation

struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model", abstract: "Look at model files.", subcommands: [ModelInfo.self])
}

struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Architecture, size and metadata of a model file.")

    @Argument(help: "A .safetensors model file.") var file: String

    func run() throws {
        let started = Date()
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped)
        } catch {
            throw CLIError("cannot read \(file): \(error.localizedDescription)")
        }
        let model: LSTMModel
        do {
            model = try data.withUnsafeBytes { try LSTMModel(safetensors: $0, expectedVocabularySize: Vocabulary.size) }
        } catch {
            throw CLIError("\(file): \(error)")
        }
        let loadMilliseconds = Date().timeIntervalSince(started) * 1000
        let c = model.configuration
        print(file)
        print("  LSTM: vocabulary \(c.vocabularySize), embedding \(c.embeddingSize), \(c.layerCount) x \(c.hiddenSize) hidden")
        print("  parameters \(c.parameterCount) (\(Inspection.fixedString(Double(data.count) / 1e6, 2)) MB), loaded in \(Inspection.fixedString(loadMilliseconds, 1)) ms")
        for key in model.metadata.keys.sorted() {
            print("  \(key): \(model.metadata[key] ?? "")")
        }
    }
}
