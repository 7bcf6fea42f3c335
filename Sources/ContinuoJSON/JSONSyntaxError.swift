/// Why bytes are not JSON, and where: enough for a person to find the fault in a request line
/// or a file header without a debugger.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Offset of the first byte the reader could not accept, from the start of the document.
    public var byteOffset: Int
    /// What was wrong there ("expected ':'", "duplicate key 'a'").
    public var reason: String

    public init(byteOffset: Int, reason: String) {
        self.byteOffset = byteOffset
        self.reason = reason
    }

    public var description: String { "malformed JSON at byte \(byteOffset): \(reason)" }
}
