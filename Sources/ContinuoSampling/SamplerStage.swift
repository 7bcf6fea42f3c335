/// One stage of a `SamplerChain`. A closed enum rather than a protocol so that the step loop
/// is a switch over plain values: no existentials, no allocation, and a chain is data that can be
/// encoded, compared and sent to the daemon.
///
/// Stages run in the order given. Masks remove candidates; a mask that would remove every
/// candidate is skipped instead, so earlier stages take priority over later ones. Every stage
/// has a neutral value that makes it a no-op.
public enum SamplerStage: Codable, Sendable, Hashable {
    /// Always wanted for generation: no `OFF` for a key that is not down, no `ON` for a key that
    /// is, never `PAD`, `START` or `STYLE` (nor tokens outside the vocabulary). `END` is allowed.
    case noteHygiene
    /// Never `END`, for endless generation.
    case banEnd
    /// Divides logits by `t`. Neutral 1; `t <= 0` keeps only the most likely token (ties go to
    /// the lowest token); NaN is ignored.
    case temperature(Float)
    /// Keeps the `k` most likely tokens (ties go to the lowest token). Neutral: `k <= 0`.
    case topK(Int)
    /// Keeps the smallest set of most likely tokens whose probability adds up to at least `p`.
    /// Neutral: `p >= 1`; `p <= 0` keeps only the most likely token.
    case topP(Float)
    /// llama.cpp's repetition penalty on note-ons only: the `ON` of a pitch struck within the
    /// last `window` note-ons has a positive logit divided by `penalty`, a negative one multiplied.
    /// Only note-ons, because SHIFT and VEL tokens repeat in any steady rhythm or dynamic and
    /// penalising them would wreck the groove; cycling on a few notes is the failure to fight.
    /// Neutral: `penalty == 1` or `window <= 0`; `window` is clamped to
    /// `MusicalState.noteOnHistoryCapacity`.
    case repetitionPenalty(penalty: Float, window: Int)
    /// Bans any token that would complete an `n`-gram already present in the last `window`
    /// accepted tokens. Neutral: `n <= 0` or `window <= 0`; `window` is clamped to
    /// `MusicalState.tokenHistoryCapacity`.
    case noRepeatNGram(n: Int, window: Int)
    /// Bans `ON` outside `low...high` (MIDI pitches). Neutral: 0...127; `low > high` bans every `ON`.
    case pitchRange(low: Int, high: Int)
    /// Bans `ON` whose pitch class is outside the scale. `root` is a pitch class (C = 0), taken
    /// modulo 12. Neutral: `.chromatic`.
    case scale(root: Int, kind: ScaleKind)
    /// Bans `ON` while this many keys are down. Neutral: `<= 0`.
    case maxPolyphony(Int)
    /// No note is held more than `steps` grid steps: a `SHIFT` that would carry a sounding note
    /// past the limit is banned, and once a note reaches it only the `OFF`s of such overdue notes
    /// are allowed. Neutral: `<= 0`.
    case maxNoteLength(steps: Int)

    /// Whether the stage, with these values, changes nothing.
    public var isNeutral: Bool {
        switch self {
        case .noteHygiene, .banEnd: return false
        case let .temperature(t): return t == 1 || t.isNaN
        case let .topK(k): return k <= 0
        case let .topP(p): return !(p < 1)
        case let .repetitionPenalty(penalty, window): return penalty == 1 || !(penalty > 0) || window <= 0
        case let .noRepeatNGram(n, window): return n <= 0 || window <= 0
        case let .pitchRange(low, high): return low <= 0 && high >= 127
        case let .scale(_, kind): return kind == .chromatic
        case let .maxPolyphony(n): return n <= 0
        case let .maxNoteLength(steps): return steps <= 0
        }
    }
}
