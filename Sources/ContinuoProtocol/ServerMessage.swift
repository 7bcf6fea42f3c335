/// Any line the daemon writes, read back (for the `continuo ctl` client and for tests):
/// the greeting, a reply, or an event. Told apart by their first-level keys:
/// `hello`, `ok`, `event`.
public enum ServerMessage: Sendable, Hashable {
    case hello(Hello)
    case reply(Reply)
    case event(Event)

    public static func parse<Bytes: Collection<UInt8>>(bytes: Bytes) -> Result<ServerMessage, ProtocolError> {
        let json: JSONValue
        switch JSONReader.parseLine(bytes) {
        case let .success(value): json = value
        case let .failure(error): return .failure(error)
        }
        if json["hello"]?.stringValue == "continuo", let version = json["protocol"]?.intValue {
            return .success(.hello(Hello(protocolVersion: version, serverVersion: json["version"]?.stringValue ?? "")))
        }
        if json["ok"] != nil, let reply = Reply(json: json) { return .success(.reply(reply)) }
        if json["event"] != nil, let event = Event(json: json) { return .success(.event(event)) }
        return .failure(ProtocolError(.invalidRequest, "not a hello, reply or event line"))
    }

    public static func parse(line: String) -> Result<ServerMessage, ProtocolError> { parse(bytes: line.utf8) }
}
