import ContinuoEncoding
import ContinuoModel
import Foundation

/// Finding and loading model files.
public enum ModelStore {
    /// `models/default.safetensors` of the installation: beside the executable's repository
    /// (walking up from the binary, as for `.build/release/continuo`), else under the current
    /// folder, else `$CONTINUO_HOME/models`.
    public static func defaultModelPath() -> String? {
        var candidates: [String] = []
        if let home = ProcessInfo.processInfo.environment["CONTINUO_HOME"] {
            candidates.append((home as NSString).appendingPathComponent("models/default.safetensors"))
        }
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(folder.appendingPathComponent("models/default.safetensors").path)
            folder.deleteLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/models/default.safetensors")
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    public static func load(_ path: String) throws -> LSTMModel {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw OfflineError.cannotRead(path: path, reason: FileManager.default.fileExists(atPath: path) ? error.localizedDescription : "no such file")
        }
        do {
            return try data.withUnsafeBytes { try LSTMModel(safetensors: $0, expectedVocabularySize: Vocabulary.size) }
        } catch {
            throw OfflineError.badModel(path: path, reason: "\(error)")
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

    public static func stylesMetadata(_ index: TokenIndex) -> String {
        index.styles.compactMap { style in style.slot.map { "\(style.name)=\($0)" } }.joined(separator: ",")
    }
}
