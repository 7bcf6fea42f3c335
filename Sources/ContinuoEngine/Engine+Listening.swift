import ContinuoEncoding
import ContinuoListening
import ContinuoSampling

/// What the engine hears in the performer besides the notes themselves: the key, the chord
/// held, and a model of their motifs, with what they make of the machine's next event.
struct Listening {
    var keys = KeyEstimator()
    var performer = PerformerModel()
    var chord: Chord? = nil
    /// Performer keys down.
    var held = [Bool](repeating: false, count: 128)
    /// Onset frame of each performer key down, -1 when up.
    var onsetFrames = [Int64](repeating: -1, count: 128)
    var lastOnsetFrame: Int64? = nil
    /// The machine played since the performer's last note-on (call-response: a new phrase).
    var machinePlayed = false
    /// Log-odds added to each pitch's note-on: key and chord following, rebuilt when they change.
    let pitchBias = FloatScratch(count: 128)
    var biasActive = false
    /// Scratch for predictions (capacity kept).
    var context: [Int] = []
    var continuations: [PerformerModel.Continuation] = []

    init() {
        context.reserveCapacity(PerformerModel.maxOrder)
        continuations.reserveCapacity(48)
    }

    var heldPitches: [Int] { (0..<128).filter { held[$0] } }
}

extension Engine {
    /// A performer note (after the channel filter), heard before it enters the history: the
    /// beat, the key, the chord and the performer model learn from it.
    func listen(on: Bool, pitch: UInt8, velocity: UInt8, at frame: Int64) {
        let p = Int(pitch)
        if on {
            tempo.performerOnset(at: frame, velocity: velocity)
            let keyChanged = listening.keys.add(pitch: p, weight: 0.5)
            let steps = listening.lastOnsetFrame.map { Int((Double(frame - $0) / tempo.framesPerStep).rounded()) } ?? Int.max
            let phraseStart = steps > 4 * Vocabulary.stepsPerBeat || (configuration.mode == .callResponse && listening.machinePlayed)
            listening.performer.learn(pitch: p, stepsSincePrevious: min(steps, Vocabulary.maxShiftSteps), phraseStart: phraseStart)
            listening.lastOnsetFrame = frame
            listening.machinePlayed = false
            listening.held[p] = true
            listening.onsetFrames[p] = frame
            let chordChanged = updateChord()
            if keyChanged || chordChanged { updatePitchBias() }
        } else {
            var keyChanged = false
            let onset = listening.onsetFrames[p]
            if onset >= 0 {
                tempo.performerRelease(onsetFrame: onset, at: frame)
                keyChanged = listening.keys.lengthen(pitch: p, weight: min(Double(frame - onset) / tempo.framesPerBeat, 2))
            }
            listening.held[p] = false
            listening.onsetFrames[p] = -1
            if updateChord() || keyChanged { updatePitchBias() }
        }
    }

    /// Forgets what was heard: the performer model, the key, the chord and the beat (back to
    /// the preset's tempo while following). What sounds is not touched.
    public func resetListening() {
        let held = listening.held, onsets = listening.onsetFrames
        listening = Listening()
        listening.held = held
        listening.onsetFrames = onsets
        tempo.resetFollowing(at: lastNow)
        updateChord()
        updatePitchBias()
    }

    /// The performer model's notes, oldest first (for capture and inspection).
    public var performerNotes: [(pitch: Int, steps: Int, phraseStart: Bool)] { listening.performer.notes }

    /// Re-detects the chord held; true when it changed.
    @discardableResult
    private func updateChord() -> Bool {
        let chord = Chord.detect(listening.heldPitches)
        guard chord != listening.chord else { return false }
        listening.chord = chord
        return true
    }

    /// Rebuilds the per-pitch note-on bias from the key, the chord and their strengths.
    func updatePitchBias() {
        let bias = listening.pitchBias.buffer
        let keyStrength = Float(configuration.keyStrength)
        let harmonyStrength = configuration.mode == .accompany ? Float(configuration.harmonyStrength) : 0
        let key = keyStrength > 0 ? listening.keys.key : nil
        let chord = harmonyStrength > 0 ? listening.chord : nil
        listening.biasActive = key != nil || chord != nil
        for p in 0..<128 {
            var b: Float = 0
            if let key, !key.contains(pitchClass: p % 12) { b -= keyStrength }
            if let chord, chord.contains(pitchClass: p % 12) { b += harmonyStrength }
            bias[p] = b
        }
    }

    /// What steers the next draw from `chain`'s point in the music: the pitch bias, and the
    /// performer model's continuations of its latest intervals.
    func steering(for chain: SamplerChain) -> TokenChooser.Steering {
        var steering = TokenChooser.Steering(pitchBias: listening.biasActive ? listening.pitchBias.buffer : nil,
                                             follow: configuration.follow, maxPolyphony: configuration.sampler.maxPolyphony)
        let state = chain.state
        guard configuration.follow > 0, listening.performer.count > 1, state.recentNoteOnCount > 0 else { return steering }
        listening.context.removeAll(keepingCapacity: true)
        let depth = min(state.recentNoteOnCount - 1, PerformerModel.maxOrder)
        if depth > 0 {
            for back in stride(from: depth, through: 1, by: -1) {
                listening.context.append(state.recentNoteOn(back: back - 1) - state.recentNoteOn(back: back))
            }
        }
        listening.performer.predict(context: listening.context, into: &listening.continuations)
        steering.continuations = listening.continuations
        steering.lastPitch = state.recentNoteOn(back: 0)
        steering.elapsedSteps = max(0, state.step - state.recentNoteOnStep(back: 0))
        return steering
    }
}
