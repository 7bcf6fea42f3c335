@_exported import ContinuoProcess
import Foundation

/// Paths the tests read: the repository, its bundled sample, and the full shared corpus when it
/// is beside the repository. Test targets extend this with readers of their own module.
public enum Fixtures {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let sample = repositoryRoot.appendingPathComponent("data/sample")
    public static let odd = sample.appendingPathComponent("odd")
    public static let sharedCorpus = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    /// The full corpus when present (developer machines, CI), else the bundled sample.
    public static var corpus: URL {
        FileManager.default.fileExists(atPath: sharedCorpus.path) ? sharedCorpus : sample
    }

    /// Every `.mid` file under `root`, sorted by path.
    public static func midiFiles(under root: URL) -> [URL] {
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = walker?.nextObject() as? URL {
            if url.pathExtension == "mid" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }
}
