import Foundation
import Testing
@testable import ContinuoListening

/// Onset frames of a rhythm (beats per onset, cycled) at `bpm`, with seeded timing jitter.
func onsets(bpm: Double, pattern: [Double], count: Int, jitterSeconds: Double = 0.01, seed: UInt64 = 1,
            sampleRate: Double = 48_000) -> [Double] {
    var state = seed
    func gaussian() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let u1 = Double(state >> 11) / Double(1 << 53) + 1e-12
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let u2 = Double(state >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
    var beat = 0.0
    return (0..<count).map { i in
        defer { beat += pattern[i % pattern.count] }
        return (beat * 60 / bpm + jitterSeconds * gaussian()) * sampleRate + sampleRate
    }
}

@Suite struct BeatTrackerTests {
    @Test(arguments: [62.0, 96, 120, 150, 176])
    func locksOnQuartersAndEighths(bpm: Double) {
        var tracker = BeatTracker(sampleRate: 48_000, fallbackBPM: 100)
        for frame in onsets(bpm: bpm, pattern: [1, 0.5, 0.5, 1, 1], count: 24) { tracker.noteOn(at: frame, velocity: 80) }
        #expect(tracker.isLocked)
        #expect(abs(tracker.bpm / bpm - 1) < 0.02, "heard \(tracker.bpm) for \(bpm)")
    }

    @Test func staysOnTheFallbackUntilItHearsEnough() {
        var tracker = BeatTracker(sampleRate: 48_000, fallbackBPM: 100)
        for frame in onsets(bpm: 140, pattern: [1], count: 3) { tracker.noteOn(at: frame, velocity: 80) }
        #expect(!tracker.isLocked)
        #expect(tracker.bpm == 100)
    }

    @Test func chordNotesAreOneOnset() {
        var a = BeatTracker(sampleRate: 48_000, fallbackBPM: 100)
        for frame in onsets(bpm: 130, pattern: [1], count: 12, jitterSeconds: 0) {
            for k in 0..<3 { a.noteOn(at: frame + Double(k) * 200, velocity: 80) }
        }
        #expect(abs(a.bpm / 130 - 1) < 0.02, "heard \(a.bpm)")
    }

    @Test func keepsTheTempoThroughAPause() {
        var tracker = BeatTracker(sampleRate: 48_000, fallbackBPM: 100)
        let first = onsets(bpm: 84, pattern: [1, 0.5, 0.5], count: 16)
        for frame in first { tracker.noteOn(at: frame, velocity: 80) }
        // Eight seconds of silence, then two notes: not enough to estimate, the tempo stays.
        let resume = first.last! + 8 * 48_000
        tracker.noteOn(at: resume, velocity: 80)
        tracker.noteOn(at: resume + 48_000 * 60 / 84, velocity: 80)
        #expect(tracker.isLocked)
        #expect(abs(tracker.bpm / 84 - 1) < 0.02, "heard \(tracker.bpm)")
    }

    @Test func followsAnAccelerando() {
        var tracker = BeatTracker(sampleRate: 48_000, fallbackBPM: 100)
        // 100 to 110 BPM over 32 beats.
        var t = 48_000.0, bpm = 100.0
        for _ in 0..<32 {
            tracker.noteOn(at: t, velocity: 80)
            t += 48_000 * 60 / bpm
            bpm *= pow(1.1, 1.0 / 32)
        }
        #expect(abs(tracker.bpm / 110 - 1) < 0.03, "heard \(tracker.bpm)")
    }

    @Test func beatFallsWhereThePlayerPutsIt() {
        var tracker = BeatTracker(sampleRate: 48_000, fallbackBPM: 100)
        let frames = onsets(bpm: 120, pattern: [1, 1, 0.5, 0.5], count: 20, jitterSeconds: 0.005)
        for frame in frames { tracker.noteOn(at: frame, velocity: 80) }
        // The first onset was on a beat: the grid puts a whole beat there.
        let position = tracker.beatPosition(at: 48_000)
        #expect(abs(position - position.rounded()) < 1.0 / 16, "beat position \(position)")
    }
}

@Suite struct KeyEstimatorTests {
    static let majorScaleTune = [0, 2, 4, 5, 7, 5, 4, 2, 0, 4, 7, 12, 11, 7, 9, 11, 12, 7, 4, 0]

    @Test(arguments: 0..<12)
    func hearsATransposedTuneInItsKey(shift: Int) {
        var keys = KeyEstimator()
        for step in Self.majorScaleTune { keys.add(pitch: 60 + shift + step, weight: 1) }
        #expect(keys.key == Key(tonic: shift, minor: false), "heard \(String(describing: keys.key))")
    }

    @Test func hearsAMinorTune() {
        var keys = KeyEstimator()
        // A harmonic minor: A B C D E F G# A, leaning on A and E.
        for step in [0, 2, 3, 5, 7, 8, 11, 12, 7, 3, 0, 7, 0, 11, 12, 7, 0] { keys.add(pitch: 57 + step, weight: 1) }
        #expect(keys.key == Key(tonic: 9, minor: true), "heard \(String(describing: keys.key))")
    }

    @Test func followsAKeyChange() {
        var keys = KeyEstimator()
        for step in Self.majorScaleTune { keys.add(pitch: 60 + step, weight: 1) }
        #expect(keys.key == Key(tonic: 0, minor: false))
        for _ in 0..<4 { for step in Self.majorScaleTune { keys.add(pitch: 63 + step, weight: 1) } }
        #expect(keys.key == Key(tonic: 3, minor: false), "heard \(String(describing: keys.key))")
    }

    @Test func keySignatures() {
        #expect(Key(sharps: 2, minor: false) == Key(tonic: 2, minor: false))
        #expect(Key(sharps: -3, minor: true) == Key(tonic: 0, minor: true))
        #expect(Key(sharps: 0, minor: true).description == "A minor")
    }
}

@Suite struct PerformerModelTests {
    @Test func continuesAMotifTransposed() {
        var model = PerformerModel()
        // C D E C, twice: D follows C; E follows C D; C follows D E.
        for (i, pitch) in [60, 62, 64, 60, 60, 62, 64, 60].enumerated() {
            model.learn(pitch: pitch, stepsSincePrevious: 6, phraseStart: i == 0)
        }
        var result: [PerformerModel.Continuation] = []
        // The music (a fifth higher, say) went up two tones: what follows is down a third.
        let order = model.predict(context: [5, 2, 2], into: &result)
        #expect(order == 2)
        #expect(result.map(\.interval) == [-4])
        // One tone up occurred before another tone up and before the third down: both, the newer heavier.
        model.predict(context: [2], into: &result)
        #expect(Set(result.map(\.interval)) == [2, -4])
        // Up two tones then down a third: the motif starts again on the same note (unison).
        model.predict(context: [2, 2, -4], into: &result)
        #expect(result.count == 1 && result[0].interval == 0 && result[0].steps == 6)
    }

    @Test func neverMatchesAcrossAPhraseBoundary() {
        var model = PerformerModel()
        for (i, pitch) in [60, 62, 64, 70, 72].enumerated() {
            model.learn(pitch: pitch, stepsSincePrevious: 3, phraseStart: i == 0 || i == 3)
        }
        var result: [PerformerModel.Continuation] = []
        // +2 occurred (60-62, 62-64, 70-72); +6 across the boundary never did.
        #expect(model.predict(context: [6], into: &result) == 0)
        #expect(model.predict(context: [2], into: &result) == 1)
        #expect(Set(result.map(\.interval)) == [2])
    }

    @Test func memoryIsBounded() {
        var model = PerformerModel()
        for i in 0..<(PerformerModel.capacity * 3) { model.learn(pitch: 60 + i % 12, stepsSincePrevious: 3, phraseStart: i == 0) }
        #expect(model.count == PerformerModel.capacity)
        #expect(model.notes.count == PerformerModel.capacity)
        model.reset()
        var result: [PerformerModel.Continuation] = []
        model.predict(context: [1], into: &result)
        #expect(model.count == 0 && result.isEmpty)
    }
}

@Suite struct ChordTests {
    @Test func namesWhatIsHeld() {
        #expect(Chord.detect([48, 52, 55])?.description == "C")
        #expect(Chord.detect([45, 60, 64])?.description == "Am")
        #expect(Chord.detect([43, 59, 62, 65])?.description == "G7")
        #expect(Chord.detect([40, 48, 55])?.description == "C/E")
        #expect(Chord.detect([60]) == nil)
        #expect(Chord.detect([]) == nil)
    }
}

@Suite struct MotifReuseTests {
    @Test func transposedQuotesCount() {
        let source = [60, 62, 64, 65, 67]
        #expect(MotifReuse.share(of: [67, 69, 71, 72], in: source) == 1)
        #expect(MotifReuse.share(of: [60, 61, 60, 61], in: source) == 0)
        #expect(MotifReuse.share(of: [60, 62], in: source) == nil)
    }
}
