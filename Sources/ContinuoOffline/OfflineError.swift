// Files and models are read by ContinuoFiles; everything offline speaks it.
@_exported import ContinuoFiles

public enum OfflineError: Error, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case notAFolder(String)
    case badTokenFile(path: String, reason: String)
    case badModel(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotRead(path, reason): return "cannot read \(path): \(reason)"
        case let .cannotWrite(path, reason): return "cannot write \(path): \(reason)"
        case let .notAFolder(path): return "\(path) is not a folder (or does not exist)"
        case let .badTokenFile(path, reason): return "\(path): \(reason)"
        case let .badModel(path, reason): return "\(path) is not a usable model: \(reason)"
        }
    }
}
