import Foundation

/// Where an installation's bundled files (`models/`, `presets/`) are: `$CONTINUO_HOME`, beside
/// the executable's repository (walking up from the binary, as for `.build/release/continuo`),
/// else under the current folder.
public enum Installation {
    /// The first existing `relativePath` among the places above.
    public static func find(_ relativePath: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates: [String] = []
        if let home = environment["CONTINUO_HOME"], !home.isEmpty {
            candidates.append((home as NSString).appendingPathComponent(relativePath))
        }
        var folder = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(folder.appendingPathComponent(relativePath).path)
            folder.deleteLastPathComponent()
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/" + relativePath)
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }
}
