/// A read-only snapshot of the engine for displays and tests.
public struct EngineStatus: Sendable {
    public var mode: EngineMode
    public var paused: Bool
    public var isShutDown: Bool
    /// Whether the generator is running (an answer, or accompaniment).
    public var generating: Bool
    public var bpm: Double
    /// Tokens in the sliding window (at most `windowEvents`).
    public var windowLength: Int
    /// Tokens committed to the history since the start.
    public var historyTokens: Int
    /// Context of the state the engine samples from.
    public var contextLength: Int
    /// Generated notes sounding now (as released).
    public var soundingNotes: [SoundingNote]
    public var counters: Counters
    public var listening: Listening

    /// What the engine hears in the performer.
    public struct Listening: Sendable, Equatable {
        /// The tempo in effect is the one heard (`tempo_source = "follow"`, locked).
        public var following: Bool
        /// The tempo heard in the performer's onsets, once locked (whatever the source).
        public var heardBPM: Double?
        /// 0...1: how well the latest beat estimate explains the onsets.
        public var tempoConfidence: Double
        /// Where `now` falls in the beat, 0..<1, on the tempo map in effect.
        public var beatPhase: Double
        /// "D major": the key heard, nil before a few notes.
        public var key: String?
        public var keyConfidence: Double
        /// "Am7/C": the chord the performer holds, nil under two pitch classes.
        public var chord: String?
        /// Notes in the performer model, and the most it keeps.
        public var performerNotes: Int
        public var performerCapacity: Int
    }

    public struct Counters: Sendable, Equatable {
        /// Events received.
        public var inputs = 0
        /// Performer notes that entered the model's history.
        public var performerNotes = 0
        /// Generated note events released.
        public var generatedEvents = 0
        /// Generated tokens (model steps of the generator).
        public var generatedTokens = 0
        /// Speculations cut back (barge-in, new input in accompany, tempo change, stop).
        public var rollbacks = 0
        /// Flushes asked of the real-time side.
        public var flushes = 0
        /// Slot restarts from the window (re-primes).
        public var reprimes = 0
        /// Generated events released later than planned (clamped to `now`).
        public var lateEvents = 0
        /// Generated events the hygiene guard dropped (note-on for a sounding key).
        public var droppedEvents = 0
        /// Sampling steps whose logits held NaN or infinity.
        public var nonFiniteLogits = 0
        /// Frames from the last answered performer note-on to the first generated note-on.
        public var lastResponseLatency: Int64? = nil
        /// Bound controllers applied.
        public var controlChanges = 0
    }
}
