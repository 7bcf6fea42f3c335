import Foundation

/// Whole-file reads for MIDI files, which are small.
public enum FileBytes {
    public static func read(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw FileError.cannotRead(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
        }
        defer { try? handle.close() }
        let data = try handle.readToEnd() ?? Data()
        return [UInt8](data)
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw FileError.cannotWrite(path: path, reason: error.localizedDescription)
        }
    }
}

/// A file that could not be read or written, or is not what it should be, with its path.
public enum FileError: Error, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case badModel(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotRead(path, reason): "cannot read \(path): \(reason)"
        case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
        case let .badModel(path, reason): "\(path) is not a usable model: \(reason)"
        }
    }
}
