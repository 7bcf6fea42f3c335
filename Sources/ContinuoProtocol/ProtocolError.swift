/// An error reply's payload: `{"code":"out_of_range","number":107,"message":"...","details":{...}}`.
/// The parser also records the request id here when it could be read, so the error reply
/// echoes it and a pipelining client can tell which request failed.
public struct ProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: ErrorCode
    /// For people: names the field or parameter and what was allowed.
    public var message: String
    /// For programs: e.g. `{"parameter":"temperature","min":0,"max":5}`.
    public var details: JSONValue?
    /// The id of the request that failed; nil when it had none or it could not be read.
    /// `.some(.null)` is an explicit `"id":null`, which is echoed.
    public var requestID: JSONValue?

    public init(_ code: ErrorCode, _ message: String, details: JSONValue? = nil, requestID: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.requestID = requestID
    }

    /// The same error attributed to a request.
    public func with(requestID: JSONValue?) -> ProtocolError {
        var copy = self
        copy.requestID = requestID
        return copy
    }

    public var json: JSONValue {
        var members: [String: JSONValue] = ["code": .string(code.rawValue), "number": .int(code.number), "message": .string(message)]
        if let details { members["details"] = details }
        return .object(members)
    }

    /// The error object in documented key order.
    var line: String {
        JSONWriter.object([("code", .string(code.rawValue)), ("number", .int(code.number)), ("message", .string(message)), ("details", details)])
    }

    public var description: String { "\(code.rawValue) (\(code.number)): \(message)" }
}
