/// SplitMix64 (Steele, Lea & Flood, 2014) spreads one seed word over the four state words of
/// `SeededRandom`, so neighbouring seeds (1, 2, 3) still start far apart and no seed gives the
/// all-zero state xoshiro cannot leave. Only a seeder: draws come from `SeededRandom`.
@usableFromInline
struct SplitMix64 {
    @usableFromInline var state: UInt64

    @usableFromInline init(seed: UInt64) { state = seed }

    @usableFromInline mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
