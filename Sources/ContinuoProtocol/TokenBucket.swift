/// The per-client request rate limit: a token bucket refilled at `rate` per second up to
/// `burst`. Pure: the caller passes the time (monotonic nanoseconds), so it is testable and
/// reads no clock. A request that finds no token is answered `overloaded` and not executed.
public struct TokenBucket: Sendable, Hashable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var last: UInt64?

    public init(rate: Double = Limits.requestsPerSecond, burst: Double = Limits.requestBurst) {
        self.rate = max(0, rate)
        self.burst = max(1, burst)
        self.tokens = self.burst
    }

    /// Takes a token if one is there at time `now`.
    public mutating func admit(atNanoseconds now: UInt64) -> Bool {
        if let last, now > last {
            tokens = min(burst, tokens + Double(now - last) * rate / 1e9)
        }
        if last == nil || now > last! { last = now }
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
