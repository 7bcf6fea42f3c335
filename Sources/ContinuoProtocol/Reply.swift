/// The answer to one request, one line:
/// `{"id":1,"ok":true,"result":...}` or `{"id":1,"ok":false,"error":{"code":...,"number":...,"message":...}}`.
/// `id` comes first so a client reading a stream can match replies without parsing further;
/// it is absent exactly when the request had none (or it could not be read).
public enum Reply: Sendable, Hashable {
    case success(id: JSONValue?, result: JSONValue)
    case failure(id: JSONValue?, error: ProtocolError)

    /// The error reply for a parser failure, echoing the id the parser recovered. Inside a
    /// reply the id lives in the reply, so the error's `requestID` is cleared.
    public static func failure(_ error: ProtocolError) -> Reply {
        .failure(id: error.requestID, error: error.with(requestID: nil))
    }

    /// The reply to `request`, from what the daemon did with it.
    public static func answer(_ request: Request, with outcome: Result<JSONValue, ProtocolError>) -> Reply {
        switch outcome {
        case let .success(result): .success(id: request.id, result: result)
        case let .failure(error): .failure(id: request.id, error: error.with(requestID: nil))
        }
    }

    public var id: JSONValue? {
        switch self {
        case let .success(id, _), let .failure(id, _): id
        }
    }

    public var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }

    /// The line without its newline.
    public var line: String {
        switch self {
        case let .success(id, result):
            return JSONWriter.object([("id", id), ("ok", true), ("result", result)])
        case let .failure(id, error):
            // The error object is written in its documented key order, not sorted.
            let head = JSONWriter.object([("id", id), ("ok", false)])
            return head.dropLast() + ",\"error\":" + error.line + "}"
        }
    }

    /// The bytes to write: the line and its newline.
    public var encoded: [UInt8] { Array(line.utf8) + [0x0A] }

    /// Reads a reply object (client side); nil if it is not one.
    public init?(json: JSONValue) {
        guard case let .object(members) = json, let ok = members["ok"]?.boolValue else { return nil }
        let id = members["id"]
        if ok {
            self = .success(id: id, result: members["result"] ?? .null)
            return
        }
        guard let error = members["error"], let name = error["code"]?.stringValue, let message = error["message"]?.stringValue else { return nil }
        // A code newer than this client still tells it something: its number's subsystem.
        let code = ErrorCode(rawValue: name) ?? error["number"]?.intValue.flatMap(ErrorCode.init(number:)) ?? .internalError
        self = .failure(id: id, error: ProtocolError(code, message, details: error["details"]))
    }
}
