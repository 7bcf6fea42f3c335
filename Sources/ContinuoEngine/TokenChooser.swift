import ContinuoEncoding
import ContinuoListening
import ContinuoSampling

/// Draws the machine's next token from the working logits: the engine's own masks and the
/// pitch bias (key, chord) first, then the sampler chain's distribution, blended with the
/// performer model's, then one draw from the engine's generator.
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

    /// What the performer steers: a log-odds bias per pitch, and the performer model's
    /// continuations, blended by `follow`.
    struct Steering {
        var pitchBias: UnsafeMutableBufferPointer<Float>?
        var follow: Double
        var maxPolyphony: Int
        var continuations: [PerformerModel.Continuation] = []
        /// The music's latest note-on, and the steps since it.
        var lastPitch = 60
        var elapsedSteps = 0
    }

    /// A token, or nil when the rules leave nothing (e.g. only note-ons wanted at density 0).
    mutating func choose(logits: FloatScratch, chain: inout SamplerChain, machine: [Double], rules: Rules,
                         steering: Steering? = nil, random: inout SeededRandom) -> Int? {
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
        if let pitchBias = steering?.pitchBias {
            for p in 0..<128 { m[Vocabulary.noteOnBase + p] += pitchBias[p] }
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
        if let steering, steering.follow > 0, !steering.continuations.isEmpty {
            blend(p, masked: m, steering: steering, state: chain.state, onlyNoteOns: rules.onlyNoteOns)
        }
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

    /// Mixes the performer model into `p`: the mass the model gives to "which note, and when"
    /// (note-ons and shifts) is shared `1 - follow : follow` between the model and the
    /// continuations, each a note-on now (its interval from the last note, when its steps have
    /// come) or a shift until its steps come. Note-offs and velocities stay the model's. Only
    /// tokens the masks allow, at free keys and within the polyphony limit, are proposed.
    private func blend(_ p: UnsafeMutableBufferPointer<Float>, masked m: UnsafeMutableBufferPointer<Float>,
                       steering: Steering, state: MusicalState, onlyNoteOns: Bool) {
        var mass: Float = 0
        for i in Vocabulary.noteOnBase..<Vocabulary.noteOffBase { mass += p[i] }
        for i in Vocabulary.shiftBase..<Vocabulary.velocityBase { mass += p[i] }
        guard mass > 0 else { return }
        let polyphonyFull = steering.maxPolyphony > 0 && state.soundingCount >= steering.maxPolyphony
        var total = 0.0
        // Two passes: sum the weights of what is allowed, then add them in.
        for pass in 0..<2 {
            let scale = pass == 0 ? 0 : Float(steering.follow) * mass / Float(total)
            for candidate in steering.continuations {
                var token = -1
                let wait = candidate.steps - steering.elapsedSteps
                if wait > 0 && !onlyNoteOns {
                    token = Event.timeShift(steps: min(wait, Vocabulary.maxShiftSteps)).token
                } else if !polyphonyFull {
                    let pitch = steering.lastPitch + candidate.interval
                    if pitch >= 0 && pitch < 128 && !state.isSounding(pitch) { token = Vocabulary.noteOnBase + pitch }
                }
                guard token >= 0, m[token] > -.infinity else { continue }
                if pass == 0 { total += candidate.weight } else { p[token] += scale * Float(candidate.weight) }
            }
            if pass == 0 {
                guard total > 0 else { return }
                let keep = 1 - Float(steering.follow)
                for i in Vocabulary.noteOnBase..<Vocabulary.noteOffBase { p[i] *= keep }
                for i in Vocabulary.shiftBase..<Vocabulary.velocityBase { p[i] *= keep }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
