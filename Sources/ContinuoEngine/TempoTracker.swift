import ContinuoListening

/// The current tempo and beat position, from a fixed bpm, MIDI clock, JACK transport or the
/// performer's own onsets, as a
/// map between frames and beats. The map is anchored at a frame with a known beat, so a tempo
/// change keeps the beat position continuous.
struct TempoTracker {
    let sampleRate: Double
    private(set) var source: TempoSource
    /// The tempo the map uses now.
    private(set) var bpm: Double
    /// Fixed tempo: configuration or `set(tempo:)`; the fallback of the other sources.
    private var fixedBPM: Double
    private var anchorFrame: Double = 0
    private var anchorBeat: Double = 0

    // MIDI clock: the last accepted tick intervals, a ring.
    private static let ticksPerBeat = 24
    private var intervals = [Double](repeating: 0, count: TempoTracker.ticksPerBeat)
    private var intervalCount = 0
    private var intervalNext = 0
    private var lastTickFrame: Int64? = nil
    private var ticksSinceStart = 0
    private var clockRunning = false
    private var consecutiveOutliers = 0
    private(set) var rejectedTicks = 0

    private(set) var transportRolling = false

    /// Follow: the beat heard in the performer's onsets (kept listening whatever the source, so
    /// switching to follow mid-set starts from what was already heard).
    private(set) var beats: BeatTracker

    init(source: TempoSource, bpm: Double, sampleRate: Double) {
        self.source = source
        self.bpm = bpm
        fixedBPM = bpm
        self.sampleRate = sampleRate
        beats = BeatTracker(sampleRate: sampleRate, fallbackBPM: bpm)
    }

    /// A performer note-on; when following, a new estimate moves the map: the tempo changes at
    /// `frame` and the grid is shifted so the heard beat falls on a whole beat. Returns true
    /// when the map changed.
    @discardableResult
    mutating func performerOnset(at frame: Int64, velocity: UInt8) -> Bool {
        let changed = beats.noteOn(at: Double(frame), velocity: velocity)
        guard source == .follow, changed, beats.isLocked else { return false }
        changeTempo(to: beats.bpm, at: Double(frame))
        alignToHeardBeat()
        return true
    }

    /// A performer note let go: its length weighs its onset in the next estimate.
    mutating func performerRelease(onsetFrame: Int64, at frame: Int64) {
        beats.noteOff(onsetFrame: Double(onsetFrame), at: Double(frame))
    }

    /// Puts the map's nearest whole beat on the beat heard.
    private mutating func alignToHeardBeat() {
        let heard = beat(at: beats.beatFrame)
        anchorFrame = beats.beatFrame
        anchorBeat = heard.rounded()
    }

    /// Forgets the heard beat (back to the fallback while following).
    mutating func resetFollowing(at frame: Int64) {
        beats.reset()
        if source == .follow { changeTempo(to: fixedBPM, at: Double(frame)) }
    }

    /// Whether the tempo in effect is the one heard in the performer's playing.
    var isFollowing: Bool { source == .follow && beats.isLocked }

    var framesPerBeat: Double { sampleRate * 60 / bpm }
    /// Frames per model step (1/12 beat).
    var framesPerStep: Double { framesPerBeat / 12 }

    func beat(at frame: Double) -> Double { anchorBeat + (frame - anchorFrame) / framesPerBeat }
    func frame(atBeat beat: Double) -> Double { anchorFrame + (beat - anchorBeat) * framesPerBeat }

    /// Re-anchors at `frame` keeping the beat there, then takes the new tempo.
    private mutating func changeTempo(to newBPM: Double, at frame: Double) {
        let b = beat(at: frame)
        anchorFrame = frame
        anchorBeat = b
        bpm = min(max(newBPM, 10), 400)
    }

    mutating func setFixed(bpm newBPM: Double, at frame: Int64) {
        guard newBPM > 0, newBPM.isFinite else { return }
        fixedBPM = newBPM
        beats.setFallback(bpm: newBPM)
        if source == .fixed || (source == .follow && !beats.isLocked) || (source == .transport && !transportRolling) || (source == .midiClock && intervalCount == 0) {
            changeTempo(to: newBPM, at: Double(frame))
        }
    }

    mutating func setSource(_ newSource: TempoSource, at frame: Int64) {
        guard newSource != source else { return }
        source = newSource
        if newSource == .fixed || (newSource == .follow && !beats.isLocked) { changeTempo(to: fixedBPM, at: Double(frame)) }
        if newSource == .follow && beats.isLocked {
            changeTempo(to: beats.bpm, at: Double(frame))
            alignToHeardBeat()
        }
    }

    /// A clock tick at `frame`; returns true when the tempo estimate changed.
    @discardableResult
    mutating func clockTick(at frame: Int64) -> Bool {
        guard source == .midiClock else { return false }
        let previous = lastTickFrame
        lastTickFrame = frame
        ticksSinceStart += 1
        let changed = previous.map { accept(interval: Double(frame - $0)) } ?? false
        if changed { changeTempo(to: sampleRate * 60 / (meanInterval * Double(Self.ticksPerBeat)), at: Double(frame)) }
        if clockRunning {
            // The grid follows the tick count, so it stays locked to the clock's beats.
            anchorFrame = Double(frame)
            anchorBeat = Double(ticksSinceStart) / Double(Self.ticksPerBeat)
        }
        return changed
    }

    /// Adds one tick interval to the estimate; false when rejected or too few to estimate from.
    /// The mean over up to 24 intervals (a beat) is the smoothing.
    private mutating func accept(interval: Double) -> Bool {
        guard interval > 0 else { return false }
        if intervalCount >= 4 {
            // A tick far from the running mean is jitter (a late cycle, a stop without FC), not a
            // tempo: skip it, unless the new spacing persists.
            let mean = meanInterval
            if interval > mean * 1.5 || interval < mean / 1.5 {
                consecutiveOutliers += 1
                rejectedTicks += 1
                guard consecutiveOutliers >= 6 else { return false }
                intervalCount = 0
                intervalNext = 0
            }
        }
        consecutiveOutliers = 0
        intervals[intervalNext] = interval
        intervalNext = (intervalNext + 1) % Self.ticksPerBeat
        intervalCount = min(intervalCount + 1, Self.ticksPerBeat)
        return intervalCount >= 4
    }

    private var meanInterval: Double {
        var sum = 0.0
        for i in 0..<intervalCount { sum += intervals[i] }
        return sum / Double(intervalCount)
    }

    mutating func clockStart(at frame: Int64) {
        clockRunning = true
        ticksSinceStart = -1   // the first tick after FA is beat 0 (counted before use)
        lastTickFrame = nil
        anchorFrame = Double(frame)
        anchorBeat = 0
    }

    mutating func clockStop() { clockRunning = false; lastTickFrame = nil }

    mutating func clockContinue() { clockRunning = true; lastTickFrame = nil }

    mutating func transport(rolling: Bool, bpm newBPM: Double, beat: Double, at frame: Int64) {
        transportRolling = rolling
        guard source == .transport, rolling, newBPM > 0, newBPM.isFinite, beat.isFinite else { return }
        bpm = min(max(newBPM, 10), 400)
        anchorFrame = Double(frame)
        anchorBeat = beat
    }
}
