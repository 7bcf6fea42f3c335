import Foundation

/// The "keep that" convention: liked outputs are copied into one folder, which `train
/// --finetune` can learn from.
public enum Keepers {
    public static let defaultFolder = "keepers"

    /// Copies `file` into `folder` (created if needed) without overwriting; returns the copy's path.
    @discardableResult
    public static func keep(_ file: String, in folder: String = defaultFolder) throws -> String {
        guard FileManager.default.fileExists(atPath: file) else { throw OfflineError.cannotRead(path: file, reason: "no such file") }
        _ = try MIDIFileLoader.read(file) // only MIDI files that read are kept
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw OfflineError.cannotWrite(path: folder, reason: error.localizedDescription)
        }
        let name = (file as NSString).lastPathComponent
        let stem = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        var target = (folder as NSString).appendingPathComponent(name)
        var n = 2
        while FileManager.default.fileExists(atPath: target) {
            target = (folder as NSString).appendingPathComponent("\(stem)-\(n).\(ext.isEmpty ? "mid" : ext)")
            n += 1
        }
        do {
            try FileManager.default.copyItem(atPath: file, toPath: target)
        } catch {
            throw OfflineError.cannotWrite(path: target, reason: error.localizedDescription)
        }
        return target
    }
}
