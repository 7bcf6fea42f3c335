import ContinuoEncoding

/// Turns a model's logits into the next token: masks and stages in order, then one seeded draw.
///
/// ```swift
/// var chain = SamplerChain(settings: settings, seed: 7)
/// chain.prime(primer)
/// while generating {
///     let token = chain.sample(logits: logits)   // logits from the model
///     chain.accept(token)                         // or another token: the chain follows what is played
/// }
/// ```
///
/// Sampling does not accept the token: the caller decides what is played and accepts that.
/// All working memory is allocated at init, so `sample` and `accept` never allocate (as long as
/// no copy of `state` is held across them). Each `sample` consumes exactly one random number
/// whatever the stages, so changing settings does not shift the random stream.
public struct SamplerChain: Sendable {
    /// The stages, applied in order; settable between steps (the daemon changes them live).
    public var stages: [SamplerStage]
    /// What has been accepted so far.
    public private(set) var state = MusicalState()
    /// The seed `reset()` returns to.
    public private(set) var seed: UInt64
    /// The largest number of logits `sample` takes.
    public let vocabularySize: Int
    private var generator: SeededRandom
    private var candidates: CandidateList

    /// `vocabularySize` is `Vocabulary.size` for the model; tests use small ones.
    public init(stages: [SamplerStage], seed: UInt64, vocabularySize: Int = Vocabulary.size) {
        precondition(vocabularySize > 0 && vocabularySize <= Int(Int32.max))
        self.stages = stages
        self.seed = seed
        self.vocabularySize = vocabularySize
        generator = SeededRandom(seed: seed)
        candidates = CandidateList(capacity: vocabularySize)
    }

    public init(settings: SamplerSettings, seed: UInt64) {
        self.init(stages: settings.stages, seed: seed)
    }

    /// Takes new settings from the next `sample` on; the musical state and random stream go on.
    public mutating func update(_ settings: SamplerSettings) {
        stages = settings.stages
    }

    /// Draws the next token. `logits` (1...`vocabularySize` of them) are read, not modified.
    public mutating func sample(logits: UnsafeBufferPointer<Float>) -> Int {
        prepare(logits)
        return draw()
    }

    public mutating func sample(logits: UnsafeMutableBufferPointer<Float>) -> Int {
        sample(logits: UnsafeBufferPointer(logits))
    }

    public mutating func sample(logits: [Float]) -> Int {
        logits.withUnsafeBufferPointer { sample(logits: $0) }
    }

    /// The distribution `sample` would draw from, one probability per logit (0 for tokens the
    /// stages removed), without drawing or changing the state.
    public mutating func probabilities(logits: UnsafeBufferPointer<Float>, into result: UnsafeMutableBufferPointer<Float>) {
        precondition(result.count >= logits.count)
        prepare(logits)
        let total = candidates.computeWeights()
        for i in 0..<result.count { result[i] = 0 }
        candidates.withLive { entries in
            for entry in entries { result[Int(entry.token)] = entry.weight / total }
        }
    }

    /// Allocating convenience of `probabilities(logits:into:)` for tools and tests.
    public mutating func probabilities(logits: [Float]) -> [Float] {
        var result = [Float](repeating: 0, count: logits.count)
        logits.withUnsafeBufferPointer { input in
            result.withUnsafeMutableBufferPointer { probabilities(logits: input, into: $0) }
        }
        return result
    }

    /// Tells the chain a token was played (sampled or not).
    public mutating func accept(_ token: Int) {
        state.accept(token)
    }

    /// Accepts tokens without sampling, e.g. a primer.
    public mutating func prime<S: Sequence>(_ tokens: S) where S.Element: BinaryInteger {
        for token in tokens { state.accept(Int(token)) }
    }

    /// Forgets the state and restarts the random stream, from `seed` if given, else the last seed:
    /// the same logits then give the same tokens again.
    public mutating func reset(seed: UInt64? = nil) {
        if let seed { self.seed = seed }
        generator = SeededRandom(seed: self.seed)
        state.reset()
    }

    /// Pitches now sounding, ascending (allocates; see `state` for non-allocating queries).
    public var soundingPitches: [Int] { state.soundingPitches }

    private mutating func prepare(_ logits: UnsafeBufferPointer<Float>) {
        precondition(logits.count <= vocabularySize, "\(logits.count) logits for a vocabulary of \(vocabularySize)")
        candidates.load(logits)
        // By index: the array iterator allocates in unoptimised builds.
        for index in stages.indices {
            switch stages[index] {
            case .noteHygiene: candidates.maskHygiene(state)
            case .banEnd: candidates.banEnd()
            case let .temperature(t): candidates.applyTemperature(t)
            case let .topK(k): candidates.keepTopK(k)
            case let .topP(p): candidates.keepTopP(p)
            case let .repetitionPenalty(penalty, window):
                candidates.penalizeRepetition(penalty: penalty, window: min(window, MusicalState.noteOnHistoryCapacity), state)
            case let .noRepeatNGram(n, window):
                candidates.banRepeatedNGrams(n: n, window: min(window, MusicalState.tokenHistoryCapacity), state)
            case let .pitchRange(low, high): candidates.maskPitchRange(low: low, high: high)
            case let .scale(root, kind): candidates.maskScale(Scale(root: root, kind: kind))
            case let .maxPolyphony(n): candidates.maskPolyphony(n, state)
            case let .maxNoteLength(steps): candidates.maskNoteLength(steps, state)
            }
        }
    }

    /// Inverse-CDF draw over the weights; candidates with zero weight can never be picked.
    private mutating func draw() -> Int {
        let total = candidates.computeWeights()
        let target = generator.nextUnitFloat() * total
        return candidates.withLive { entries in
            var cumulative: Float = 0
            var lastPositive = Int(entries[0].token)
            for entry in entries where entry.weight > 0 {
                cumulative += entry.weight
                if cumulative > target { return Int(entry.token) }
                lastPositive = Int(entry.token)
            }
            // Rounding left the sum just short of the target.
            return lastPositive
        }
    }
}
