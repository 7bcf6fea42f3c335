#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Turns one request line into a `Request` or the error to answer it with. Total: any byte
/// sequence yields one or the other; nothing throws, traps or recurses without bound. The
/// request id is read before anything else can fail, so every later error echoes it.
///
/// Checks run in a fixed order, so the error for a line with several faults is predictable:
/// length, JSON, object, id, cmd, action, unknown fields, instance, then the arguments.
public enum RequestParser {
    public static let commands = ["ping", "version", "status", "get", "set", "preset", "model", "panic", "pause", "resume", "capture", "performer", "rate", "subscribe", "unsubscribe", "instance"]

    public static func parse(line: [UInt8]) -> Result<ParsedRequest, ProtocolError> { parse(bytes: line) }

    public static func parse(line: Data) -> Result<ParsedRequest, ProtocolError> { parse(bytes: line) }

    public static func parse(line: Substring) -> Result<ParsedRequest, ProtocolError> { parse(bytes: line.utf8) }

    public static func parse(line: String) -> Result<ParsedRequest, ProtocolError> { parse(bytes: line.utf8) }

    /// A line is its bytes without the newline (what `LineFramer` yields); a trailing "\r" or
    /// surrounding whitespace is fine, JSON ignores it.
    public static func parse<Bytes: Collection<UInt8>>(bytes: Bytes) -> Result<ParsedRequest, ProtocolError> {
        guard bytes.count <= Limits.maxLineBytes else {
            return .failure(ProtocolError(.lineTooLong, "request lines are at most \(Limits.maxLineBytes) bytes"))
        }
        let json: JSONValue
        switch JSONReader.parseLine(bytes) {
        case let .success(value): json = value
        case let .failure(error): return .failure(error)
        }
        guard case let .object(members) = json else {
            return .failure(ProtocolError(.invalidRequest, "a request is a JSON object, got \(json.typeName)"))
        }
        var id: JSONValue?
        if let raw = members["id"] {
            guard raw.isScalar else {
                return .failure(ProtocolError(.invalidRequest, "'id' must be a string, number, boolean or null, got \(raw.typeName)"))
            }
            id = raw
        }
        do {
            let (command, instance) = try parseCommand(members)
            return .success(Request(id: id, instance: instance, command: command))
        } catch {
            return .failure(error.with(requestID: id))
        }
    }

    private static func parseCommand(_ members: [String: JSONValue]) throws(ProtocolError) -> (Command, String?) {
        guard let rawCmd = members["cmd"] else {
            throw ProtocolError(.missingArgument, "a request needs 'cmd'")
        }
        guard let cmd = rawCmd.stringValue else {
            throw ProtocolError(.wrongType, "'cmd' must be a string, got \(rawCmd.typeName)")
        }
        let command: Command
        switch cmd {
        case "ping", "version", "status", "panic", "pause", "resume":
            try Fields(members: members, context: cmd).allowOnly([])
            command = switch cmd {
            case "ping": .ping
            case "version": .version
            case "status": .status
            case "panic": .panic
            case "pause": .pause
            default: .resume
            }
        case "get":
            let fields = Fields(members: members, context: cmd)
            try fields.allowOnly(["param"])
            command = .get(try fields.optionalString("param").map { name throws(ProtocolError) in try parameter(named: name) })
        case "set":
            let fields = Fields(members: members, context: cmd)
            try fields.allowOnly(["param", "value"])
            let parameter = try parameter(named: try fields.requiredString("param"))
            guard let raw = members["value"] else { throw ProtocolError(.missingArgument, "set needs 'value'", details: parameter.details) }
            switch parameter.validate(raw) {
            case let .success(value): command = .set(parameter, value)
            case let .failure(error): throw error
            }
        case "preset":
            let (action, fields) = try actionFields(members, cmd, ["list", "load", "save"])
            switch action {
            case "list":
                try fields.allowOnly([])
                command = .presetList
            case "load":
                try fields.allowOnly(["name"])
                command = .presetLoad(name: try fields.requiredName("name"))
            default:
                try fields.allowOnly(["name"])
                command = .presetSave(name: try fields.requiredName("name"))
            }
        case "model":
            let (_, fields) = try actionFields(members, cmd, ["load"])
            try fields.allowOnly(["path"])
            command = .modelLoad(path: try fields.requiredPath("path"))
        case "capture":
            let fields = Fields(members: members, context: cmd)
            try fields.allowOnly(["path", "bars"])
            command = .capture(path: try fields.optionalPath("path"),
                               bars: try fields.optionalInt("bars", in: Limits.captureBars) ?? Limits.defaultCaptureBars)
        case "performer":
            let (_, fields) = try actionFields(members, cmd, ["reset"])
            try fields.allowOnly([])
            command = .performerReset
        case "rate":
            let fields = Fields(members: members, context: cmd)
            try fields.allowOnly(["path", "rating"])
            let path = try fields.requiredPath("path")
            let rating = try fields.requiredString("rating")
            guard rating == "like" || rating == "dislike" else {
                throw ProtocolError(.outOfRange, "rating '\(clip(rating))' is not like or dislike")
            }
            command = .rate(path: path, rating: rating)
        case "subscribe", "unsubscribe":
            let fields = Fields(members: members, context: cmd)
            try fields.allowOnly(["topics"])
            let topics = try fields.topics()
            command = cmd == "subscribe" ? .subscribe(topics) : .unsubscribe(topics)
        case "instance":
            let (action, fields) = try actionFields(members, cmd, ["add", "remove", "list"])
            switch action {
            case "add":
                try fields.allowOnly(["name", "preset"])
                command = .instanceAdd(name: try fields.requiredName("name"), preset: try fields.optionalName("preset"))
            case "remove":
                try fields.allowOnly(["name"])
                command = .instanceRemove(name: try fields.requiredName("name"))
            default:
                try fields.allowOnly([])
                command = .instanceList
            }
        default:
            var message = "unknown command '\(clip(cmd))'; commands are " + commands.joined(separator: ", ")
            if let dot = cmd.firstIndex(of: "."), commands.contains(String(cmd[..<dot])) {
                message += "; write \"\(cmd)\" as {\"cmd\":\"\(cmd[..<dot])\",\"action\":\"\(clip(String(cmd[cmd.index(after: dot)...]), to: 16))\"}"
            }
            throw ProtocolError(.unknownCommand, message)
        }
        return (command, try instance(members, for: command))
    }

    /// Reads `action` for the two-word commands and returns the fields with the action's context.
    private static func actionFields(_ members: [String: JSONValue], _ cmd: String, _ actions: [String]) throws(ProtocolError) -> (String, Fields) {
        let choices = actions.joined(separator: ", ")
        guard let raw = members["action"] else {
            throw ProtocolError(.missingArgument, "\(cmd) needs 'action': one of \(choices)")
        }
        guard let action = raw.stringValue else {
            throw ProtocolError(.wrongType, "\(cmd): 'action' must be a string, got \(raw.typeName)")
        }
        guard actions.contains(action) else {
            throw ProtocolError(.unknownCommand, "unknown action '\(clip(action))' for \(cmd); actions are \(choices)")
        }
        var rest = members
        rest["action"] = nil
        return (action, Fields(members: rest, context: "\(cmd) \(action)"))
    }

    private static func parameter(named name: String) throws(ProtocolError) -> Parameter {
        guard let parameter = Parameter(rawValue: name) else {
            throw ProtocolError(.unknownParameter, "unknown parameter '\(clip(name))'; parameters are " + Parameter.allCases.map(\.name).joined(separator: ", "))
        }
        return parameter
    }

    private static func instance(_ members: [String: JSONValue], for command: Command) throws(ProtocolError) -> String? {
        guard let raw = members["instance"] else { return nil }
        guard command.isInstanceScoped else {
            throw ProtocolError(.invalidRequest, "\(command.name) is not addressed to an instance; leave out 'instance'")
        }
        guard let name = raw.stringValue else {
            throw ProtocolError(.wrongType, "'instance' must be a string, got \(raw.typeName)")
        }
        guard Names.isValid(name) else {
            throw ProtocolError(.outOfRange, "'instance' must be 1 to \(Limits.maxNameBytes) letters, digits, '-', '_' or '.', not starting with '.'")
        }
        return name
    }
}
