import Foundation

/// A MIDI file found under a corpus folder.
public struct CorpusFile: Sendable, Hashable {
    /// Absolute or as-given path, for reading.
    public var path: String
    /// Path relative to its root, for reports and the index.
    public var relativePath: String
    /// The style the file belongs to: the first folder under its root (for example
    /// `piano-midi` under `corpus/`), or the root's own name for files directly in it.
    public var style: String
}

/// Finds `.mid`, `.midi`, `.smf` and `.rmi` files (and, when asked, recordings) recursively, in
/// a stable (sorted) order. Hidden folders (`.git`, the transcription cache `.continuo`) are
/// not searched.
public enum CorpusScanner {
    public static let extensions: Set<String> = ["mid", "midi", "smf", "rmi", "kar"]

    public static func scan(_ roots: [String], includeAudio: Bool = false) throws -> [CorpusFile] {
        let wanted = includeAudio ? extensions.union(AudioTranscriber.audioExtensions) : extensions
        var files: [CorpusFile] = []
        for root in roots {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder) else {
                throw OfflineError.notAFolder(root)
            }
            if !isFolder.boolValue {
                let name = (root as NSString).lastPathComponent
                files.append(CorpusFile(path: root, relativePath: name,
                                        style: ((root as NSString).deletingLastPathComponent as NSString).lastPathComponent))
                continue
            }
            let rootName = (URL(fileURLWithPath: root).standardizedFileURL.path as NSString).lastPathComponent
            for relative in try relativePaths(under: root, extensions: wanted) {
                let components = relative.split(separator: "/")
                let style = components.count > 1 ? String(components[0]) : rootName
                files.append(CorpusFile(path: (root as NSString).appendingPathComponent(relative),
                                        relativePath: relative, style: style))
            }
        }
        return files
    }

    /// Files under `root` with one of `extensions` (lowercased), relative to it, sorted; hidden
    /// folders and files are skipped.
    public static func relativePaths(under root: String, extensions: Set<String>) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root) else { throw OfflineError.notAFolder(root) }
        var found: [String] = []
        while let relative = walker.nextObject() as? String {
            guard !relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
            if extensions.contains((relative as NSString).pathExtension.lowercased()) { found.append(relative) }
        }
        return found.sorted()
    }
}
