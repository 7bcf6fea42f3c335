/// The package's one seeded generator: xoshiro256** (Blackman & Vigna) seeded through SplitMix64.
/// Reproducible across runs and platforms, so a seed in a preset, a training run or a failing
/// fuzz case replays exactly; `ck_xoshiro256ss_fill` and `ck_fill_dropout_mask` in
/// CContinuoKernels run the same stream. The state is four stored words, not an array, so
/// drawing never touches the heap (the sampler draws on the audio thread).
public struct SeededRandom: RandomNumberGenerator, Sendable, Hashable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64
    @usableFromInline var s2: UInt64
    @usableFromInline var s3: UInt64

    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
    }

    /// Restores a generator from `state` (e.g. from a checkpoint); nil unless 4 words, not all
    /// zero (xoshiro would stay at zero forever).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    /// The four state words, what a checkpoint stores to resume the stream.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = Self.rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotate(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits, all a Float can hold below 1.
    @inlinable @inline(__always)
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// Uniform in [low, high).
    @inlinable
    public mutating func nextFloat(in low: Float, _ high: Float) -> Float { low + (high - low) * nextUnitFloat() }

    /// Lends the state to code that advances the same stream elsewhere (the C kernels), as four
    /// contiguous words in `state` order; whatever `body` leaves there is the new state.
    public mutating func withStateWords<Result>(_ body: (UnsafeMutablePointer<UInt64>) throws -> Result) rethrows -> Result {
        var words = (s0, s1, s2, s3)
        defer { (s0, s1, s2, s3) = words }
        return try withUnsafeMutablePointer(to: &words) { tuple in
            try tuple.withMemoryRebound(to: UInt64.self, capacity: 4, body)
        }
    }

    @inlinable @inline(__always)
    static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
