/// Splits a byte stream (socket reads of any size) into lines. Bytes are fed in whatever
/// chunks arrive; the output depends only on the bytes, never on the chunking.
///
/// - A line ends at "\n"; a "\r" just before it is dropped ("\r\n" clients such as telnet).
/// - Lines of only spaces and tabs are skipped (an interactive user pressing return).
/// - A line longer than `maxLineBytes` (terminator excluded) yields `.tooLong` once, as soon as
///   the bound is passed; its remaining bytes are discarded as they arrive up to the next
///   newline. So a 1 MB line costs `maxLineBytes` of memory, and the next line is read normally.
/// - At end of input, `finish()` yields a last line that had no newline.
public struct LineFramer: Sendable {
    public enum Output: Sendable, Hashable {
        /// A complete line without its terminator.
        case line([UInt8])
        /// A line passed the length limit; answer it with `line_too_long`.
        case tooLong
    }

    public let maxLineBytes: Int
    private var buffer: [UInt8] = []
    /// A "\r" at the end of the bytes so far: dropped if "\n" follows, kept otherwise.
    private var pendingCR = false
    /// Inside an over-long line: drop everything up to the next "\n".
    private var discarding = false

    public init(maxLineBytes: Int = Limits.maxLineBytes) {
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// Bytes buffered for the current line; never more than `maxLineBytes`.
    public var bufferedBytes: Int { buffer.count }

    /// Feeds one chunk; returns the lines (and overflows) it completed, in order.
    public mutating func feed<Bytes: BidirectionalCollection<UInt8>>(_ chunk: Bytes) -> [Output] {
        var outputs: [Output] = []
        var start = chunk.startIndex
        // Whole segments between newlines at a time, not byte by byte: a 1 MB line is a few
        // memchr-like scans, not a million appends.
        while start != chunk.endIndex {
            let newline = chunk[start...].firstIndex(of: 0x0A)
            append(chunk[start..<(newline ?? chunk.endIndex)], into: &outputs)
            guard let newline else { break }
            endLine(into: &outputs)
            start = chunk.index(after: newline)
        }
        return outputs
    }

    /// End of input: the last line if it had no newline.
    public mutating func finish() -> Output? {
        defer { reset() }
        guard !discarding, !Self.isBlank(buffer) else { return nil }
        return .line(buffer)
    }

    public mutating func reset() {
        buffer = []
        pendingCR = false
        discarding = false
    }


    private mutating func append<Segment: BidirectionalCollection<UInt8>>(_ segment: Segment, into outputs: inout [Output]) {
        guard !discarding, !segment.isEmpty else { return }
        var body = segment[...]
        let endsWithCR = body.last == 0x0D
        if endsWithCR { body = body.dropLast() }
        let carried = pendingCR ? 1 : 0   // the held "\r" was not a terminator after all
        if buffer.count + carried + body.count > maxLineBytes {
            buffer.removeAll(keepingCapacity: false)
            pendingCR = false
            discarding = true
            outputs.append(.tooLong)
            return
        }
        if pendingCR { buffer.append(0x0D) }
        buffer.append(contentsOf: body)
        pendingCR = endsWithCR
    }

    private mutating func endLine(into outputs: inout [Output]) {
        pendingCR = false
        if discarding {
            discarding = false
            return
        }
        if !Self.isBlank(buffer) { outputs.append(.line(buffer)) }
        buffer.removeAll(keepingCapacity: true)
    }

    private static func isBlank(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}
