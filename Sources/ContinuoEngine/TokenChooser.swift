import ContinuoEncoding
import ContinuoSampling

/// Draws the machine's next token from the working logits: the engine's own masks first, then
/// the sampler chain's distribution, then one draw from the engine's generator.
///
/// The draw is the engine's (not the chain's) because the chain is copied back to the
/// committed snapshot on every rollback: its generator would replay the same random numbers
/// after each barge-in or effect note. The engine's generator never rolls back.
struct TokenChooser {
    private let masked: FloatScratch
    private let probabilities: FloatScratch
    private(set) var nonFiniteLogits = 0

    init(vocabularySize: Int) {
        masked = FloatScratch(count: vocabularySize)
        probabilities = FloatScratch(count: vocabularySize)
    }

    struct Rules {
        /// Odds multiplier of note-ons (density): logit bias ln(density), 0 bans them.
        var density: Double
        /// Only note-ons (the first note of an answer, an effect voice).
        var onlyNoteOns: Bool
        var allowEnd: Bool
    }

    /// A token, or nil when the rules leave nothing (e.g. only note-ons wanted at density 0).
    mutating func choose(logits: FloatScratch, chain: inout SamplerChain, machine: [Double], rules: Rules,
                         random: inout SeededRandom) -> Int? {
        let source = logits.buffer, m = masked.buffer
        let count = source.count
        var finite = true
        for i in 0..<count {
            let value = source[i]
            if !value.isFinite { finite = false }
            m[i] = value.isNaN ? -.infinity : value
        }
        if !finite { nonFiniteLogits += 1 }
        // The machine releases only its own notes: the performer's keys are the performer's.
        for p in 0..<128 where machine[p] < 0 { m[Vocabulary.noteOffBase + p] = -.infinity }
        if !rules.allowEnd { m[Vocabulary.end] = -.infinity }
        let bias: Float = rules.density >= 1 ? 0 : (rules.density <= 0 ? -.infinity : Float(log(rules.density)))
        if bias != 0 {
            for i in Vocabulary.noteOnBase..<Vocabulary.noteOffBase { m[i] += bias }
        }
        if rules.onlyNoteOns {
            var any = false
            for i in 0..<count where i < Vocabulary.noteOnBase || i >= Vocabulary.noteOffBase { m[i] = -.infinity }
            for i in Vocabulary.noteOnBase..<Vocabulary.noteOffBase where m[i] > -.infinity && !chain.state.isSounding(i - Vocabulary.noteOnBase) {
                any = true
                break
            }
            guard any else { return nil }
        }
        chain.probabilities(logits: UnsafeBufferPointer(m), into: probabilities.buffer)
        let p = probabilities.buffer
        let u = random.nextUnitFloat()
        var cumulative: Float = 0
        var last: Int? = nil
        for i in 0..<count where p[i] > 0 {
            cumulative += p[i]
            last = i
            if cumulative > u { break }
        }
        guard let token = last else { return nil }
        // The chain falls back to every token when the masks left nothing: hold to the rules.
        if m[token] == -.infinity { return nil }
        return token
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
