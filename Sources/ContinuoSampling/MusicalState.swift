import ContinuoEncoding

/// What has been played so far, as far as the masks and penalties need to know: which keys
/// sound and since when, the clock, and bounded histories of note-ons and tokens.
///
/// It follows accepted tokens the way `StreamingDecoder` does, so that masks agree with what
/// the decoder will make of the output: an `OFF` for a silent key is ignored, a second `ON` of a
/// sounding key restarts it, `END` closes every note. `START` begins a new piece (clock and
/// notes reset) but keeps the histories, so a daemon looping pieces does not replay the last one.
public struct MusicalState: Sendable {
    /// How many note-ons the repetition penalty can look back over; longer windows are clamped.
    public static let noteOnHistoryCapacity = 256
    /// How many tokens the no-repeat n-gram ban can look back over; longer windows are clamped.
    public static let tokenHistoryCapacity = 1024

    /// Grid steps (1/12 beat) since the piece started.
    public private(set) var step = 0
    /// How many keys are down.
    public private(set) var soundingCount = 0
    /// Onset step per pitch, -1 when silent.
    private var onsets = [Int](repeating: -1, count: 128)
    private var noteOns = HistoryRing<UInt8>(capacity: MusicalState.noteOnHistoryCapacity, filler: 0)
    /// The step of each remembered note-on (the rhythm of `noteOns`).
    private var noteOnSteps = HistoryRing<Int32>(capacity: MusicalState.noteOnHistoryCapacity, filler: 0)
    private var tokens = HistoryRing<Int32>(capacity: MusicalState.tokenHistoryCapacity, filler: 0)

    public init() {}

    /// Advances the state by one token. Negative tokens are ignored; tokens outside the
    /// vocabulary enter the token history only.
    public mutating func accept(_ token: Int) {
        guard token >= 0, token <= Int(Int32.max) else { return }
        tokens.append(Int32(token))
        guard let event = Event(token: token) else { return }
        switch event {
        case .start:
            silenceAll()
            step = 0
        case .end:
            silenceAll()
        case let .timeShift(steps):
            step += steps
        case let .noteOn(pitch):
            let p = Int(pitch)
            if onsets[p] < 0 { soundingCount += 1 }
            onsets[p] = step
            noteOns.append(pitch)
            noteOnSteps.append(Int32(truncatingIfNeeded: step))
        case let .noteOff(pitch):
            let p = Int(pitch)
            if onsets[p] >= 0 {
                onsets[p] = -1
                soundingCount -= 1
            }
        case .pad, .style, .velocity:
            break
        }
    }

    /// Forgets everything, histories included.
    public mutating func reset() {
        silenceAll()
        step = 0
        noteOns.removeAll()
        noteOnSteps.removeAll()
        tokens.removeAll()
    }

    @inline(__always)
    public func isSounding(_ pitch: Int) -> Bool {
        pitch >= 0 && pitch < 128 && onsets[pitch] >= 0
    }

    public func onsetStep(of pitch: Int) -> Int? {
        isSounding(pitch) ? onsets[pitch] : nil
    }

    /// Steps the key has been down, nil when silent.
    public func heldSteps(of pitch: Int) -> Int? {
        isSounding(pitch) ? step - onsets[pitch] : nil
    }

    /// Steps the longest-held sounding note has been down; 0 when nothing sounds.
    public var longestHeldSteps: Int {
        guard soundingCount > 0 else { return 0 }
        var earliest = step
        for pitch in 0..<128 {
            let onset = onsets[pitch]
            if onset >= 0 && onset < earliest { earliest = onset }
        }
        return step - earliest
    }

    /// Sounding pitches in ascending order. Allocates: for display and tests, not the hot path.
    public var soundingPitches: [Int] {
        (0..<128).filter { onsets[$0] >= 0 }
    }

    /// Note-ons remembered (at most `noteOnHistoryCapacity`).
    public var recentNoteOnCount: Int { noteOns.count }
    /// The pitch of a recent note-on; `back` 0 is the latest.
    public func recentNoteOn(back: Int) -> Int { Int(noteOns[back: back]) }
    /// The step a recent note-on was played at (`START` restarts the count); `back` 0 is the latest.
    public func recentNoteOnStep(back: Int) -> Int { Int(noteOnSteps[back: back]) }

    /// Tokens remembered (at most `tokenHistoryCapacity`).
    public var recentTokenCount: Int { tokens.count }
    /// A recent token; `back` 0 is the latest.
    public func recentToken(back: Int) -> Int { Int(tokens[back: back]) }

    private mutating func silenceAll() {
        guard soundingCount > 0 else { return }
        for p in 0..<128 { onsets[p] = -1 }
        soundingCount = 0
    }
}
