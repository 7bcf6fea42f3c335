/// One parsed request line.
public struct Request: Sendable, Hashable {
    /// Echoed in the reply exactly as sent; nil when the request had no `id` (the reply then has
    /// none either). `.some(.null)` is an explicit `"id":null` and is echoed.
    public var id: JSONValue?
    /// The instance addressed; nil means the first instance. Always nil for global commands.
    public var instance: String?
    public var command: Command

    public init(id: JSONValue? = nil, instance: String? = nil, command: Command) {
        self.id = id
        self.instance = instance
        self.command = command
    }

    /// The request line a client sends (no newline): `{"id":1,"cmd":"set","param":"bpm","value":96}`.
    public var line: String {
        JSONWriter.object([("id", id)] + command.arguments + [("instance", instance.map { .string($0) })])
    }

    /// The bytes to write: the line and its newline.
    public var encoded: [UInt8] { Array(line.utf8) + [0x0A] }
}

/// What `RequestParser.parse` yields on success.
public typealias ParsedRequest = Request
