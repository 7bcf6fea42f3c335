// Everything that imports the protocol speaks its JSONValue, so the codec comes with it.
@_exported import ContinuoJSON

extension JSONReader {
    /// One protocol line as JSON, nested no deeper than the protocol allows; text that is not
    /// JSON is a `parse_error` that says where and why.
    static func parseLine<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Result<JSONValue, ProtocolError> {
        parse(bytes, maxDepth: Limits.maxNestingDepth).mapError { ProtocolError(.parseError, $0.description) }
    }
}
