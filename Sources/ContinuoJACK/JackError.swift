import CJack

/// The `jack_status_t` bit set returned by `jack_client_open`, decoded into names so that an
/// error message says *why* a client could not open (no server, name taken, …) instead of a number.
public struct JackStatus: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ status: jack_status_t) { self.rawValue = status.rawValue }

    public static let failure = JackStatus(JackFailure)
    public static let invalidOption = JackStatus(JackInvalidOption)
    public static let nameNotUnique = JackStatus(JackNameNotUnique)
    public static let serverStarted = JackStatus(JackServerStarted)
    public static let serverFailed = JackStatus(JackServerFailed)
    public static let serverError = JackStatus(JackServerError)
    public static let noSuchClient = JackStatus(JackNoSuchClient)
    public static let loadFailure = JackStatus(JackLoadFailure)
    public static let initFailure = JackStatus(JackInitFailure)
    public static let shmFailure = JackStatus(JackShmFailure)
    public static let versionError = JackStatus(JackVersionError)
    public static let backendError = JackStatus(JackBackendError)
    public static let clientZombie = JackStatus(JackClientZombie)

    static let names: [(JackStatus, String)] = [
        (.failure, "overall operation failed"),
        (.invalidOption, "invalid or unsupported option"),
        (.nameNotUnique, "client name not unique"),
        (.serverStarted, "server was started"),
        (.serverFailed, "unable to connect to the JACK server"),
        (.serverError, "communication error with the JACK server"),
        (.noSuchClient, "no such client"),
        (.loadFailure, "unable to load internal client"),
        (.initFailure, "unable to initialize client"),
        (.shmFailure, "unable to access shared memory"),
        (.versionError, "client/server protocol version mismatch"),
        (.backendError, "backend error"),
        (.clientZombie, "client zombified"),
    ]

    /// Comma-separated readable names of the set bits, e.g.
    /// "overall operation failed, unable to connect to the JACK server".
    public var description: String {
        let parts = Self.names.filter { contains($0.0) }.map(\.1)
        let known = Self.names.reduce(JackStatus()) { $0.union($1.0) }
        let unknown = subtracting(known).rawValue
        let all = parts + (unknown != 0 ? ["unknown bits 0x\(String(unknown, radix: 16))"] : [])
        return all.isEmpty ? "no status bits" : all.joined(separator: ", ")
    }
}

/// Every way a `JackClient` operation can fail. Thrown with typed throws so callers can switch
/// on the case without casting.
public enum JackError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `jack_client_open` returned NULL. `status` says why (server not running → `.serverFailed`).
    case openFailed(name: String, server: String?, status: JackStatus)
    /// The client has been closed (explicitly or after a server shutdown + close).
    case clientClosed
    /// `jack_port_register` returned NULL (duplicate name, too many ports, …).
    case portRegistrationFailed(name: String)
    /// This wrapper holds at most `JackClient.maxOutputPorts` MIDI outputs (fixed-size RT table).
    case tooManyPorts(limit: Int)
    /// A `jack_set_*_callback` call failed; `callback` names it.
    case callbackRegistrationFailed(callback: String, code: Int32)
    case activateFailed(code: Int32)
    case deactivateFailed(code: Int32)
    /// Activation requested while already active.
    case alreadyActive
    /// `jack_connect` failed (not EEXIST, which counts as success).
    case connectFailed(source: String, destination: String, code: Int32)
    case disconnectFailed(source: String, destination: String, code: Int32)

    public var description: String {
        switch self {
        case let .openFailed(name, server, status):
            return "cannot open JACK client '\(name)' on server '\(server ?? "default")': \(status)"
        case .clientClosed: return "JACK client is closed"
        case let .portRegistrationFailed(name): return "cannot register JACK port '\(name)'"
        case let .tooManyPorts(limit): return "too many MIDI output ports (limit \(limit))"
        case let .callbackRegistrationFailed(cb, code): return "\(cb) failed (\(code))"
        case let .activateFailed(code): return "jack_activate failed (\(code))"
        case let .deactivateFailed(code): return "jack_deactivate failed (\(code))"
        case .alreadyActive: return "JACK client is already active"
        case let .connectFailed(s, d, code): return "cannot connect '\(s)' -> '\(d)' (\(code))"
        case let .disconnectFailed(s, d, code): return "cannot disconnect '\(s)' -> '\(d)' (\(code))"
        }
    }
}
