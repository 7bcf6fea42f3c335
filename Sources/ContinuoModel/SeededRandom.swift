/// xoshiro256** seeded through SplitMix64: reproducible across runs and platforms, and its
/// four state words are what checkpoints store. `ck_fill_dropout_mask` runs the same generator.
public struct SeededRandom: RandomNumberGenerator, Sendable, Hashable {
    public private(set) var state: [UInt64]

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = [splitMix(), splitMix(), splitMix(), splitMix()]
    }

    /// Restores a generator from `state` (e.g. from a checkpoint); nil unless 4 words, not all zero.
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        self.state = state
    }

    public mutating func next() -> UInt64 {
        let result = rotate(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotate(state[3], 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// Uniform in [low, high).
    public mutating func nextFloat(in low: Float, _ high: Float) -> Float { low + (high - low) * nextUnitFloat() }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

import CContinuoKernels

extension SeededRandom {
    /// Dropout mask of `count` floats (0 or 1/(1-p)), advancing this generator exactly as
    /// `count` calls to `next()` would.
    mutating func fillDropoutMask(_ mask: UnsafeMutablePointer<Float>, count: Int, dropProbability: Float) {
        state.withUnsafeMutableBufferPointer { words in
            ck_fill_dropout_mask(words.baseAddress!, count, dropProbability, mask)
        }
    }
}
