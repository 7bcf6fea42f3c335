import ContinuoParameters
import ContinuoMIDI
import ContinuoEncoding
import ContinuoModel
import ContinuoSampling
import ContinuoListening

/// The musical brain of the real-time daemon: performer events in, MIDI events out, with the
/// time passed in (absolute audio frames). It reads no clock, opens no files and starts no
/// threads, so it runs the same under JACK and in tests with a fake clock.
///
/// One thread drives it (the daemon's worker): `receive` each input as soon as the real-time
/// side hands it over, then `advance(to:)`, and `advance(to:)` again every fraction of a
/// period. See `EngineOutput` for what the real-time side does with the result.
///
/// How it works:
/// - History: performer and machine notes are tokens of one stream, times as shifts through the
///   current tempo (`History`); a sliding window of `windowEvents` tokens.
/// - Model: two staggered LSTM states over the window (`StaggeredStates`), so the context is
///   bounded and never drifts; the longer one is sampled from.
/// - Generation: `Speculation` runs the model a look-ahead past `now`; tokens are committed to
///   the history once played. A performer event rolls the uncommitted tail back: softly in
///   accompany (what was released stays), hard on a barge-in, mode change, pause or panic
///   (released events not yet played are flushed).
/// - Hygiene: `MachineNotes` checks every generated note at the output.
public final class Engine {
    public internal(set) var configuration: EngineConfiguration
    var inference: LSTMInference
    var history: History
    var states: StaggeredStates
    /// The sampler's musical state over the committed history (its generator is never used).
    var committedChain: SamplerChain
    /// Model-time onset frame of each machine note in the committed history, -1 when silent.
    var committedMachine = [Double](repeating: -1, count: 128)
    var spec: Speculation
    var notes = MachineNotes()
    var tempo: TempoTracker
    var listening = Listening()
    var random: SeededRandom
    var chooser: TokenChooser
    /// START and the style: what every restarted state is primed with first.
    var primer: [Int]

    var pending: [OutputEvent] = []
    var pendingFlush = false
    var pendingFlushFrame: Int64 = 0
    /// The latest `now`: frames before it have been rendered.
    var lastNow: Int64 = 0
    var paused = false
    var isShutDown = false
    /// The generator runs (an answer, or accompaniment).
    var generating = false
    /// Model-time frame where the running generation ends (an answer's end); nil runs on.
    var generationEnd: Double? = nil
    /// Call-response: the performer played; answer once the silence is long enough.
    var awaitingSilence = false
    /// Frame of the last performer note event (the silence counts from it).
    var lastPerformerFrame: Int64? = nil
    /// Frame of the performer note-on whose first generated answer is awaited (latency).
    var responseInput: Int64? = nil
    var inputSinceAdvance = false
    var counters = EngineStatus.Counters()
    /// Re-primes counted by state sets that were replaced (model swap, new window).
    var reprimesBefore = 0

    /// `inference` must speak this build's vocabulary (`Vocabulary.size` tokens).
    public init(inference: LSTMInference, configuration: EngineConfiguration, seed: UInt64) {
        precondition(inference.configuration.vocabularySize == Vocabulary.size,
                     "the model has \(inference.configuration.vocabularySize) tokens, the vocabulary \(Vocabulary.size)")
        let c = configuration.sanitized
        self.configuration = c
        self.inference = inference
        tempo = TempoTracker(source: c.tempoSource, bpm: c.bpm, sampleRate: c.sampleRate)
        primer = Self.primer(style: c.style)
        var history = History(capacity: c.windowEvents, startFrame: 0)
        for token in primer { history.append(token, framesPerStep: 1) }
        self.history = history
        var chain = SamplerChain(settings: Self.chainSettings(c), seed: seed)
        chain.prime(primer)
        committedChain = chain
        states = StaggeredStates(inference: inference, window: c.windowEvents, primer: primer, history: history)
        spec = Speculation(inference: inference, chain: chain)
        random = SeededRandom(seed: seed ^ 0x6A09_E667_F3BC_C908)
        chooser = TokenChooser(vocabularySize: Vocabulary.size)
        resetSpeculation()
    }

    static func primer(style: Int?) -> [Int] {
        [Vocabulary.start] + (style.map { [Event.style($0).token] } ?? [])
    }

    /// The sampler the chain runs: the configured one, except that note length is the engine's
    /// business (the chain's rule counts the performer's held keys and would stall time) and
    /// `END` only ends answers.
    static func chainSettings(_ c: EngineConfiguration) -> SamplerSettings {
        var s = c.sampler
        s.maxNoteSteps = 0
        s.allowEnd = s.allowEnd && c.mode == .callResponse
        return s
    }

    // MARK: - Control

    /// Switches mode; the machine's notes end (flush), and the pass-through ones when leaving effect.
    public func set(mode: EngineMode) {
        guard mode != configuration.mode else { return }
        hardStop(at: lastNow)
        if configuration.mode == .effect { silenceThrough(at: lastNow) }
        configuration.mode = mode
        updateChains()
        updatePitchBias()
    }

    /// One parameter of the table, from the next generated event on, by the cheapest way: the
    /// sampler's knobs, mode, density and tempo have their own; anything else is a new
    /// configuration (the machine's notes end first). A value the table refuses is ignored.
    public func set(_ parameter: Parameter, _ value: ParameterValue) {
        guard parameter.accepts(value) else { return }
        var c = configuration
        c.apply(parameter, value)
        switch parameter {
        case .temperature, .topK, .topP, .repetitionPenalty, .noRepeatNgram, .maxPolyphony: set(sampler: c.sampler)
        case .mode: set(mode: c.mode)
        case .density: set(density: c.density)
        case .bpm: set(tempo: c.bpm)
        case .follow, .keyStrength, .harmonyStrength:
            configuration = c.sanitized
            updatePitchBias()
        default: set(configuration: c)
        }
    }

    /// A parameter's value in effect; `bpm` is the tempo the engine follows now.
    public func value(of parameter: Parameter) -> ParameterValue {
        parameter == .bpm ? .real(status.bpm) : configuration.value(of: parameter)
    }

    /// New sampler settings, from the next generated token on.
    public func set(sampler: SamplerSettings) {
        configuration.sampler = sampler
        updateChains()
    }

    /// The fixed tempo (and the fallback of clock and transport). What was generated ahead is
    /// regenerated at the new tempo.
    public func set(tempo bpm: Double) {
        guard bpm > 0, bpm.isFinite else { return }
        configuration.bpm = min(max(bpm, 10), 400)
        tempo.setFixed(bpm: configuration.bpm, at: lastNow)
        retimeSpeculation()
    }

    /// 0...1, see `EngineConfiguration.density`.
    public func set(density: Double) {
        configuration.density = min(max(density.isNaN ? 0 : density, 0), 1)
    }

    /// A whole new configuration: the machine's notes end first; the model is re-primed when the
    /// window or the style changes.
    public func set(configuration newConfiguration: EngineConfiguration) {
        let c = newConfiguration.sanitized
        hardStop(at: lastNow)
        if configuration.mode == .effect && (c.mode != .effect || !c.effectThrough) { silenceThrough(at: lastNow) }
        if c.sampleRate != configuration.sampleRate {
            tempo = TempoTracker(source: c.tempoSource, bpm: c.bpm, sampleRate: c.sampleRate)
        } else {
            tempo.setSource(c.tempoSource, at: lastNow)
            tempo.setFixed(bpm: c.bpm, at: lastNow)
        }
        let windowChanged = c.windowEvents != configuration.windowEvents
        let styleChanged = c.style != configuration.style
        configuration = c
        if windowChanged { history = history.resized(to: c.windowEvents) }
        if styleChanged { primer = Self.primer(style: c.style) }
        if windowChanged || styleChanged { rebuildStates() }
        updateChains()
        updatePitchBias()
        resetSpeculation()
    }

    /// Another model, between events: the machine's notes end, the old states are dropped and the
    /// new model is primed from the window (W/2 steps, synchronously).
    public func swapModel(_ newInference: LSTMInference) {
        precondition(newInference.configuration.vocabularySize == Vocabulary.size,
                     "the model has \(newInference.configuration.vocabularySize) tokens, the vocabulary \(Vocabulary.size)")
        hardStop(at: lastNow)
        inference = newInference
        spec = Speculation(inference: newInference, chain: committedChain)
        rebuildStates()
        resetSpeculation()
    }

    /// Stops playing (machine notes end); input still enters the history and effect mode still
    /// passes input through.
    public func pause() {
        guard !paused else { return }
        hardStop(at: lastNow)
        paused = true
    }

    public func resume() { paused = false }

    /// Ends every note the engine sounds, generated and passed through, with All Notes Off on every
    /// channel it used. Generation starts again with the performer's next note.
    public func panic(at frame: Int64) -> EngineOutput {
        let at = max(frame, lastNow)
        lastNow = at
        hardStop(at: at)
        silenceThrough(at: at)
        allNotesOff(at: at)
        return drain(now: at)
    }

    /// Like `panic`, then the engine stays silent: every later call returns nothing.
    public func shutdown(at frame: Int64) -> EngineOutput {
        guard !isShutDown else { return EngineOutput() }
        let output = panic(at: frame)
        isShutDown = true
        return output
    }

    public var status: EngineStatus {
        EngineStatus(mode: configuration.mode, paused: paused, isShutDown: isShutDown, generating: generating,
                     bpm: tempo.bpm, windowLength: history.count, historyTokens: history.total,
                     contextLength: states.activeContext, soundingNotes: notes.sounding,
                     counters: currentCounters, listening: listeningStatus)
    }

    var listeningStatus: EngineStatus.Listening {
        let beats = tempo.beats
        var phase = tempo.beat(at: Double(lastNow))
        phase -= phase.rounded(.down)
        return EngineStatus.Listening(following: tempo.isFollowing, heardBPM: beats.isLocked ? beats.bpm : nil,
                                      tempoConfidence: beats.confidence, beatPhase: phase,
                                      key: listening.keys.key?.description, keyConfidence: listening.keys.confidence,
                                      chord: listening.chord?.description, performerNotes: listening.performer.count,
                                      performerCapacity: PerformerModel.capacity)
    }

    /// The window's tokens, oldest first (allocates; for inspection and tests).
    public var historyWindow: [Int] { history.tokens }

    /// Beat position at a frame, on the current tempo map.
    public func beat(at frame: Int64) -> Double { tempo.beat(at: Double(frame)) }

    var currentCounters: EngineStatus.Counters {
        var c = counters
        c.reprimes = reprimesBefore + states.restarts
        c.nonFiniteLogits = chooser.nonFiniteLogits
        return c
    }

    // MARK: - Shared steps

    func updateChains() {
        let settings = Self.chainSettings(configuration)
        committedChain.update(settings)
        spec.chain.update(settings)
    }

    private func rebuildStates() {
        reprimesBefore += states.restarts
        states = StaggeredStates(inference: inference, window: configuration.windowEvents, primer: primer, history: history)
        // Valid tokens (validated vocabulary): the model cannot throw.
        try! states.reprimeAll(history: history, inference: inference)
    }

    /// Appends to the history through `body` and lets the committed sampler follow.
    func commitToHistory(_ body: (inout History, Double) -> Void) {
        let start = history.total
        body(&history, tempo.framesPerStep)
        for index in start..<history.total { committedChain.accept(history.token(at: index)) }
        keepStatesInWindow()
    }

    /// A slot more than half a window behind is fed now, so no token leaves the window unfed.
    func keepStatesInWindow() {
        for slot in 0..<2 where states.lag(of: slot, history: history) > configuration.windowEvents / 2 {
            try! states.catchUp(slot, history: history, inference: inference)
        }
    }

    func resetSpeculation() {
        spec.reset(chain: committedChain, machine: committedMachine, history: history, framesPerStep: tempo.framesPerStep)
    }

    /// Inserts keeping `pending` ordered by frame, after events of the same frame. The
    /// machine's notes leave at the transposition in effect now, so a change of it (which ends
    /// them first) never sends a note-off to another key than its note-on.
    func emit(_ event: OutputEvent) {
        var event = event
        if event.isGenerated, configuration.transpose != 0, event.bytes.isNoteOn || event.bytes.isNoteOff {
            event.bytes.data1 = UInt8(clamping: min(127, max(0, Int(event.bytes.data1) + configuration.transpose)))
        }
        var index = pending.count
        while index > 0 && pending[index - 1].frame > event.frame { index -= 1 }
        pending.insert(event, at: index)
    }

    func drain(now: Int64) -> EngineOutput {
        guard !pending.isEmpty || pendingFlush else { return EngineOutput() }
        for index in pending.indices where pending[index].frame < now { pending[index].frame = now }
        let output = EngineOutput(events: pending, flush: pendingFlush, flushFrame: pendingFlushFrame)
        pending = []
        pendingFlush = false
        return output
    }

    func silenceThrough(at frame: Int64) {
        var offs: [OutputEvent] = []
        notes.silenceThrough(at: frame, into: &offs)
        for off in offs { emit(off) }
    }

    private func allNotesOff(at frame: Int64) {
        let used = notes.usedChannels | (1 << UInt16(configuration.outputChannel))
        for channel in 0..<16 where used & (1 << UInt16(channel)) != 0 {
            emit(OutputEvent(frame: frame, bytes: .allNotesOff(channel: UInt8(channel)), isGenerated: true))
        }
    }
}
