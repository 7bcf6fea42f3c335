/// Every bound the protocol promises, in one place, so docs/protocol.md, the parser, the queue
/// and the daemon agree. Each bound exists so that one misbehaving client costs the daemon a
/// fixed amount of memory and time, never more.
public enum Limits {
    /// Longest request line in bytes, newline excluded. Longer lines get `line_too_long` once
    /// and are skipped up to the next newline without being buffered.
    public static let maxLineBytes = 64 * 1024
    /// Deepest nesting of arrays/objects in a request. Requests need 2; the bound keeps a
    /// hostile `[[[[...` from costing recursion depth.
    public static let maxNestingDepth = 32
    /// Longest preset or instance name, in bytes.
    public static let maxNameBytes = 64
    /// Longest file path (model load, capture), in bytes.
    public static let maxPathBytes = 4096
    /// Events a client's queue holds before it coalesces and sheds (see `EventQueue`).
    public static let eventQueueCapacity = 1024
    /// Sustained requests per second per client; beyond it requests are answered `overloaded`.
    public static let requestsPerSecond = 2000.0
    /// Requests a client may send in one burst above the sustained rate.
    public static let requestBurst = 2000.0
    /// Bytes of replies and events waiting for a client that does not read, before the
    /// daemon disconnects it.
    public static let maxPendingOutputBytes = 1 << 20
    /// Concurrent connections; the next one gets an `overloaded` error line and is closed.
    public static let maxClients = 256
    /// Bars `capture` may ask for.
    public static let captureBars: ClosedRange<Int> = 1...128
    /// Bars `capture` writes when the request does not say.
    public static let defaultCaptureBars = 8
}
