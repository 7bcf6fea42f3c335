import ContinuoEncoding
import Testing
@testable import ContinuoSampling

@Suite struct MaskTests {
    /// Logits that favour note-ons, so the masks that guard them are pressed hard, and
    /// note-offs, so that notes turn over and new note-ons keep coming.
    static func onHeavy(_ seed: UInt64) -> LogitSource {
        LogitSource(seed: seed) { noteOnPitch($0) != nil || noteOffPitch($0) != nil ? 2 : 0 }
    }

    @Test func scaleMaskNeverPlaysOutOfKey() {
        let scale = Scale(root: 2, kind: .naturalMinor)
        var chain = SamplerChain(stages: [.noteHygiene, .banEnd, .maxPolyphony(4), .scale(root: 2, kind: .naturalMinor)], seed: 3)
        var source = Self.onHeavy(11)
        let tokens = generate(&chain, steps: 4000, logits: &source)
        let pitches = tokens.compactMap(noteOnPitch)
        #expect(pitches.count > 500)
        #expect(pitches.allSatisfy { scale.contains(pitch: $0) })
        #expect(Set(pitches.map { $0 % 12 }) == [2, 4, 5, 7, 9, 10, 0])
    }

    @Test(arguments: ScaleKind.allCases)
    func everyScaleKindMasksByPitchClass(kind: ScaleKind) {
        var chain = SamplerChain(stages: [.scale(root: 7, kind: kind)], seed: 5)
        let p = chain.probabilities(logits: [Float](repeating: 0, count: T.vocabulary))
        for pitch in 0..<128 {
            let inScale = kind.intervals.contains((pitch - 7 + 120) % 12)
            #expect((p[T.on(pitch)] > 0) == inScale)
            #expect(p[T.off(pitch)] > 0)
        }
    }

    @Test func pitchRangeMaskNeverPlaysOutside() {
        var chain = SamplerChain(stages: [.noteHygiene, .banEnd, .maxPolyphony(6), .pitchRange(low: 48, high: 72)], seed: 4)
        var source = Self.onHeavy(12)
        let pitches = generate(&chain, steps: 4000, logits: &source).compactMap(noteOnPitch)
        #expect(pitches.count > 500)
        #expect(pitches.allSatisfy { (48...72).contains($0) })
        #expect(pitches.contains(48) && pitches.contains(72))
    }

    @Test func invertedPitchRangeBansEveryNoteOn() {
        var chain = SamplerChain(stages: [.pitchRange(low: 80, high: 40)], seed: 4)
        let p = chain.probabilities(logits: [Float](repeating: 0, count: T.vocabulary))
        #expect((0..<128).allSatisfy { p[T.on($0)] == 0 })
        #expect(p[T.shift(1)] > 0)
    }

    @Test func polyphonyNeverExceedsTheLimit() {
        var chain = SamplerChain(stages: [.noteHygiene, .banEnd, .maxPolyphony(3)], seed: 5)
        var source = Self.onHeavy(13)
        var tracker = Tracker()
        var reached = 0
        for token in generate(&chain, steps: 5000, logits: &source) {
            #expect(tracker.play(token) == nil)
            #expect(tracker.onsets.count <= 3)
            if tracker.onsets.count == 3 { reached += 1 }
        }
        #expect(reached > 100)
    }

    @Test func hygieneNeverBreaksTheNoteStream() {
        // Biased towards exactly the tokens hygiene must refuse.
        var source = LogitSource(seed: 14) { token in
            token < Vocabulary.noteOnBase || noteOffPitch(token) != nil ? 3 : 0
        }
        var chain = SamplerChain(stages: [.noteHygiene], seed: 6)
        var tracker = Tracker()
        var ends = 0
        for token in generate(&chain, steps: 5000, logits: &source) {
            #expect(tracker.play(token) == nil)
            if token == Vocabulary.end { ends += 1 }
        }
        #expect(ends > 0)
        #expect(Set(tracker.onsets.keys) == Set(chain.soundingPitches))
    }

    @Test func banEndNeverEnds() {
        var source = LogitSource(seed: 15) { $0 == Vocabulary.end ? 6 : 0 }
        var chain = SamplerChain(stages: [.noteHygiene, .banEnd], seed: 7)
        #expect(!generate(&chain, steps: 2000, logits: &source).contains(Vocabulary.end))
    }

    @Test func maxNoteLengthByHand() {
        var chain = SamplerChain(stages: [.noteHygiene, .maxNoteLength(steps: 24)], seed: 8)
        let flat = [Float](repeating: 0, count: T.vocabulary)
        chain.prime([T.on(60), T.shift(10), T.on(64), T.shift(10)])
        // ON(60) is 20 steps old: SHIFT(4) brings it to the limit, SHIFT(5) past it.
        var p = chain.probabilities(logits: flat)
        #expect((1...4).allSatisfy { p[T.shift($0)] > 0 })
        #expect((5...48).allSatisfy { p[T.shift($0)] == 0 })
        #expect(p[T.on(62)] > 0 && p[T.off(64)] > 0 && p[T.vel(3)] > 0)
        chain.accept(T.shift(4))
        // Overdue: only its OFF.
        p = chain.probabilities(logits: flat)
        #expect(p[T.off(60)] == 1)
        chain.accept(T.off(60))
        // ON(64) is now the oldest, 14 steps old.
        p = chain.probabilities(logits: flat)
        #expect(p[T.shift(10)] > 0 && p[T.shift(11)] == 0)
    }

    @Test func noNoteOutlivesMaxNoteLength() {
        let limit = 18
        var chain = SamplerChain(stages: [.noteHygiene, .banEnd, .maxNoteLength(steps: limit)], seed: 9)
        // Shifts and note-ons are likely and note-offs unlikely: notes would hang on for ever.
        var source = LogitSource(seed: 16) { token in
            shiftSteps(token) != nil ? 3 : noteOffPitch(token) != nil ? -3 : 0
        }
        var tracker = Tracker()
        var atLimit = 0
        for token in generate(&chain, steps: 5000, logits: &source) {
            #expect(tracker.play(token) == nil)
            #expect(tracker.longestHeld <= limit)
            if tracker.longestHeld == limit { atLimit += 1 }
        }
        #expect(atLimit > 50)
        #expect(tracker.step > 500)
    }

    @Test func aMaskThatWouldLeaveNothingIsSkippedAndEarlierStagesWin() {
        // ON(60) is overdue, so only OFF(60) may follow; the n-gram ban (n = 1) would ban it as
        // already seen, which would leave nothing: the ban gives way, the note-length limit holds.
        var chain = SamplerChain(stages: [.noteHygiene, .maxNoteLength(steps: 4), .noRepeatNGram(n: 1, window: 100)], seed: 10)
        chain.prime([T.on(60), T.off(60), T.on(60), T.shift(4)])
        let p = chain.probabilities(logits: [Float](repeating: 0, count: T.vocabulary))
        #expect(p[T.off(60)] == 1)
    }

    @Test func overdueNotesWithImpossibleOffsStillStopTheClock() {
        var chain = SamplerChain(stages: [.noteHygiene, .maxNoteLength(steps: 4)], seed: 10)
        chain.prime([T.on(60), T.shift(4)])
        var logits = [Float](repeating: 0, count: T.vocabulary)
        logits[T.off(60)] = -.infinity
        let p = chain.probabilities(logits: logits)
        #expect((1...48).allSatisfy { p[T.shift($0)] == 0 })
        #expect(p[T.vel(0)] > 0)
    }

    @Test func unusableLogitsFallBackToUniform() {
        var chain = SamplerChain(stages: [], seed: 1, vocabularySize: 4)
        #expect(close(chain.probabilities(logits: [-.infinity, -.infinity, -.infinity, -.infinity]), [0.25, 0.25, 0.25, 0.25]))
        #expect(close(chain.probabilities(logits: [.nan, 0, .nan, 0]), [0, 0.5, 0, 0.5]))
        #expect(close(chain.probabilities(logits: [.infinity, 0, .infinity, 0]), [0.5, 0, 0.5, 0]))
    }
}
