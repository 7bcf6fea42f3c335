/// Every error the protocol can report: the one source of truth. Each code has a stable
/// string (what clients should match on) and a stable number grouped by subsystem:
/// 1xx the request itself, 2xx daemon state, 3xx files, 4xx JACK, 5xx internal.
/// The table in docs/protocol.md is `markdownTable`, and a test keeps the two identical.
/// Codes are only ever added, never renumbered or reused.
public enum ErrorCode: String, CaseIterable, Sendable, Hashable, Codable {
    // 1xx: the request line
    case parseError = "parse_error"
    case lineTooLong = "line_too_long"
    case invalidRequest = "invalid_request"
    case unknownCommand = "unknown_command"
    case unknownParameter = "unknown_parameter"
    case missingArgument = "missing_argument"
    case wrongType = "wrong_type"
    case outOfRange = "out_of_range"
    // 2xx: daemon state
    case unknownInstance = "unknown_instance"
    case instanceExists = "instance_exists"
    case notFound = "not_found"
    case busy
    case overloaded
    case invalidState = "invalid_state"
    // 3xx: files
    case presetInvalid = "preset_invalid"
    case modelInvalid = "model_invalid"
    case ioError = "io_error"
    // 4xx: JACK
    case jackUnavailable = "jack_unavailable"
    // 5xx: internal
    case internalError = "internal_error"

    public var number: Int {
        switch self {
        case .parseError: 100
        case .lineTooLong: 101
        case .invalidRequest: 102
        case .unknownCommand: 103
        case .unknownParameter: 104
        case .missingArgument: 105
        case .wrongType: 106
        case .outOfRange: 107
        case .unknownInstance: 200
        case .instanceExists: 201
        case .notFound: 202
        case .busy: 203
        case .overloaded: 204
        case .invalidState: 205
        case .presetInvalid: 300
        case .modelInvalid: 301
        case .ioError: 302
        case .jackUnavailable: 400
        case .internalError: 500
        }
    }

    public init?(number: Int) {
        guard let code = Self.allCases.first(where: { $0.number == number }) else { return nil }
        self = code
    }

    /// When the daemon answers with it; the docs table's last column.
    public var summary: String {
        switch self {
        case .parseError: "The line is not one valid JSON value (RFC 8259: no trailing commas, no duplicate keys, valid UTF-8, finite numbers), or nests deeper than 32 levels."
        case .lineTooLong: "The line is longer than 65536 bytes; it was skipped up to its newline."
        case .invalidRequest: "Valid JSON but not a request: not an object, an `id` that is not a scalar, an unknown field, `instance` on a global command."
        case .unknownCommand: "`cmd` (or `action`) names no command."
        case .unknownParameter: "`param` names no live parameter."
        case .missingArgument: "A required field is absent."
        case .wrongType: "A field has the wrong JSON type (a string for a number, a fraction for an integer)."
        case .outOfRange: "A value is outside its range or choices, or a name or path is malformed."
        case .unknownInstance: "`instance` names no running instance."
        case .instanceExists: "`instance add` with a name already in use."
        case .notFound: "The preset, model or file does not exist."
        case .busy: "The same kind of operation is already running (a model load, a capture); try again."
        case .overloaded: "Shed: too many requests per second, or too many clients. Nothing was done."
        case .invalidState: "Not possible now: removing the last instance, capturing before anything was played."
        case .presetInvalid: "The preset file exists but cannot be read as a preset."
        case .modelInvalid: "The model file exists but is not a usable model; the old model keeps playing."
        case .ioError: "Reading or writing a file failed (permissions, disk full)."
        case .jackUnavailable: "Not connected: the JACK server is not running or the client was shut down (on ALSA: the sequencer failed)."
        case .internalError: "A bug in the daemon. Please report it."
        }
    }

    /// The subsystem named by the hundreds digit.
    public var subsystem: String {
        switch number / 100 {
        case 1: "request"
        case 2: "state"
        case 3: "files"
        case 4: "jack"
        default: "internal"
        }
    }

    /// The error code table of docs/protocol.md, generated so the docs cannot drift.
    public static var markdownTable: String {
        var lines = ["| number | code | meaning |", "|-------:|------|---------|"]
        for code in allCases {
            lines.append("| \(code.number) | `\(code.rawValue)` | \(code.summary) |")
        }
        return lines.joined(separator: "\n")
    }
}
