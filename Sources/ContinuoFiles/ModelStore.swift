import ContinuoEncoding
import ContinuoModel
import Foundation

/// Finding and loading model files.
public enum ModelStore {
    /// `models/default.safetensors` of the installation (see `Installation`).
    public static func defaultModelPath() -> String? {
        Installation.find("models/default.safetensors")
    }

    public static func load(_ path: String) throws -> LSTMModel {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw FileError.cannotRead(path: path, reason: FileManager.default.fileExists(atPath: path) ? error.localizedDescription : "no such file")
        }
        do {
            return try data.withUnsafeBytes { try LSTMModel(safetensors: $0, expectedVocabularySize: Vocabulary.size) }
        } catch {
            throw FileError.badModel(path: path, reason: "\(error)")
        }
    }

    /// Style names and their slots, as recorded by `train` (`continuo.styles`: "name=slot,...").
    public static func styles(of model: LSTMModel) -> [String: Int] {
        var styles: [String: Int] = [:]
        for entry in (model.metadata["continuo.styles"] ?? "").split(separator: ",") {
            let parts = entry.split(separator: "=")
            if parts.count == 2, let slot = Int(parts[1]) { styles[String(parts[0])] = slot }
        }
        return styles
    }
}
