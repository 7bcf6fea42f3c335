/// The protocol's version. It changes only when an existing client could break: a command,
/// field or event removed or changing meaning. Additions (new commands, new optional fields,
/// new events, new error codes) keep the number, so clients must ignore fields and events they
/// do not know.
public enum ProtocolVersion {
    public static let current = 1
    /// The daemon's own version, sent in `hello` and `version` unless the daemon says otherwise.
    public static let serverVersion = "0.1.0"
}

/// The first line the daemon writes on every connection, before reading anything, so a client
/// can check the protocol version without a round trip:
/// `{"hello":"continuo","protocol":1,"version":"0.1.0"}`.
public struct Hello: Sendable, Hashable {
    public var protocolVersion: Int
    public var serverVersion: String

    public init(protocolVersion: Int = ProtocolVersion.current, serverVersion: String = ProtocolVersion.serverVersion) {
        self.protocolVersion = protocolVersion
        self.serverVersion = serverVersion
    }

    public var json: JSONValue {
        .object(["hello": "continuo", "protocol": .int(protocolVersion), "version": .string(serverVersion)])
    }

    /// The line without its newline.
    public var line: String {
        JSONWriter.object([("hello", "continuo"), ("protocol", .int(protocolVersion)), ("version", .string(serverVersion))])
    }

    /// The bytes to write: the line and its newline.
    public var encoded: [UInt8] { Array(line.utf8) + [0x0A] }
}
