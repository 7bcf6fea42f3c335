import ContinuoMIDI
import ContinuoEncoding
import ContinuoParameters
import Testing
@testable import ContinuoEngine

/// Plays `pitches` at `bpm` starting at `start`, each note `beats[i % count]` long (legato),
/// with a small fixed timing jitter; returns the frame after the last note.
@discardableResult
func playPhrase(_ rig: Rig, pitches: [Int], beats: [Double], bpm: Double, start: Int64, velocity: UInt8 = 90) -> Int64 {
    var frame = Double(start)
    let jitter: [Double] = [0, 120, -90, 60, -140, 30]
    for (i, pitch) in pitches.enumerated() {
        let length = beats[i % beats.count] * 48_000 * 60 / bpm
        let on = Int64(frame + jitter[i % jitter.count])
        rig.play(.noteOn(channel: 0, pitch: UInt8(pitch), velocity: velocity), at: on)
        rig.play(.noteOff(channel: 0, pitch: UInt8(pitch)), at: Int64(frame + length * 0.9))
        frame += length
    }
    return Int64(frame)
}

func configuration(_ mode: EngineMode, follow: Double = 0, bpm: Double = 100) -> EngineConfiguration {
    var c = EngineConfiguration(mode: mode, bpm: bpm)
    c.tempoSource = .follow
    c.follow = follow
    return c
}

@Suite struct TempoFollowingTests {
    @Test func locksOntoThePlayersTempoAndAnswersOnIt() {
        let rig = Rig(configuration(.callResponse, bpm: 100))
        #expect(rig.engine.status.bpm == 100)
        let tune = [60, 62, 64, 65, 67, 65, 64, 62, 60, 64, 67, 72, 71, 67, 65, 64]
        let end = playPhrase(rig, pitches: tune, beats: [1, 0.5, 0.5, 1], bpm: 132, start: 4_800)
        let status = rig.engine.status
        #expect(status.listening.following)
        #expect(abs(status.bpm / 132 - 1) < 0.02, "followed \(status.bpm)")
        #expect(status.listening.tempoConfidence > 0.5)
        // The answer comes a beat of silence after the last note ends (0.9 beats after its
        // onset): a beat at 132, not at 100.
        let lastOn = end - frames(beats: 1, bpm: 132)
        rig.run(until: end + frames(beats: 4, bpm: 132))
        let first = try! #require(rig.generatedNoteOns.first)
        let silence = Double(first.frame - lastOn) - Double(frames(beats: 0.9, bpm: 132))
        #expect(abs(silence - Double(frames(beats: 1, bpm: 132))) < Double(frames(beats: 0.15, bpm: 132)),
                "answered \(first.frame - lastOn) frames after the last note-on")
    }

    @Test func staysOnThePresetTempoUntilSure() {
        let rig = Rig(configuration(.accompany, bpm: 100))
        rig.engine.set(.density, .real(0))
        playPhrase(rig, pitches: [60, 67, 64], beats: [1], bpm: 150, start: 4_800)
        #expect(!rig.engine.status.listening.following)
        #expect(rig.engine.status.bpm == 100)
    }

    @Test func followsAnAccelerando() {
        let rig = Rig(configuration(.accompany, bpm: 100))
        rig.engine.set(.density, .real(0))
        var frame: Int64 = 4_800, bpm = 100.0
        for i in 0..<40 {
            let pitch = UInt8([60, 64, 67, 64][i % 4])
            rig.play(.noteOn(channel: 0, pitch: pitch, velocity: 80), at: frame)
            rig.play(.noteOff(channel: 0, pitch: pitch), at: frame + frames(beats: 0.8, bpm: bpm))
            frame += frames(beats: 1, bpm: bpm)
            bpm = min(112, bpm * 1.004)
        }
        let followed = rig.engine.status.bpm
        #expect(abs(followed / bpm - 1) < 0.03, "followed \(followed), played \(bpm)")
    }

    @Test func keepsTheTempoThroughAPause() {
        let rig = Rig(configuration(.accompany, bpm: 100))
        rig.engine.set(.density, .real(0))
        let end = playPhrase(rig, pitches: Array(repeating: 60, count: 12), beats: [1, 0.5, 0.5], bpm: 84, start: 4_800)
        #expect(abs(rig.engine.status.bpm / 84 - 1) < 0.02)
        // Ten seconds of silence, then two notes: not enough to hear a new tempo, so it stays.
        rig.run(until: end + 480_000)
        #expect(rig.engine.status.listening.following)
        playPhrase(rig, pitches: [62, 64], beats: [1], bpm: 84, start: end + 480_000)
        #expect(abs(rig.engine.status.bpm / 84 - 1) < 0.02, "tempo after the pause \(rig.engine.status.bpm)")
    }

    @Test func fixedSourceIgnoresThePlayer() {
        var c = configuration(.accompany, bpm: 100)
        c.tempoSource = .fixed
        let rig = Rig(c)
        playPhrase(rig, pitches: Array(repeating: 60, count: 12), beats: [1], bpm: 140, start: 4_800)
        #expect(rig.engine.status.bpm == 100)
        // ...but it listens, so switching to follow takes the heard tempo at once.
        rig.engine.set(.tempoSource, .choice("follow"))
        #expect(abs(rig.engine.status.bpm / 140 - 1) < 0.02)
    }
}

@Suite struct KeyFollowingTests {
    static let tune = [0, 2, 4, 5, 7, 5, 4, 2, 0, 4, 7, 12, 11, 7, 9, 11, 12, 7, 4, 0]

    @Test func hearsTheKeyAndItsChange() {
        let rig = Rig(configuration(.accompany))
        rig.engine.set(.density, .real(0))
        var end = playPhrase(rig, pitches: Self.tune.map { 60 + $0 }, beats: [0.5], bpm: 120, start: 4_800)
        #expect(rig.engine.status.listening.key == "C major")
        for _ in 0..<4 { end = playPhrase(rig, pitches: Self.tune.map { 63 + $0 }, beats: [0.5], bpm: 120, start: end) }
        #expect(rig.engine.status.listening.key == "Eb major")
    }

    /// Share of the machine's note-ons in C major while accompanying a C major tune.
    func inKeyShare(strength: Double) -> Double {
        var c = configuration(.accompany)
        c.keyStrength = strength
        let rig = Rig(c, seed: 3)
        var end: Int64 = 4_800
        for _ in 0..<3 { end = playPhrase(rig, pitches: Self.tune.map { 60 + $0 }, beats: [0.5], bpm: 120, start: end) }
        let ons = rig.generatedNoteOns.map { Int($0.bytes.data1) }
        let major: Set = [0, 2, 4, 5, 7, 9, 11]
        return Double(ons.filter { major.contains($0 % 12) }.count) / Double(max(ons.count, 1))
    }

    @Test func keyStrengthPullsTheMachineIntoTheKey() {
        // The test model plays noise: about 7 in 12 of its notes fall in any key by chance.
        let off = inKeyShare(strength: 0), on = inKeyShare(strength: 6)
        #expect(off < 0.8, "in key without the bias: \(off)")
        // Until six notes are heard there is no key to pull towards.
        #expect(on > 0.9, "in key with strength 6: \(on)")
    }
}

@Suite struct PerformerBlendTests {
    /// Intervals of the machine's answer after a motif (up a tone twice, down a third) played
    /// three times, with `follow`.
    func answerIntervals(follow: Double, seed: UInt64 = 5) -> [Int] {
        let rig = Rig(configuration(.callResponse, follow: follow, bpm: 120), seed: seed)
        let motif = [60, 62, 64, 60, 60, 62, 64, 60, 65, 67, 69, 65]
        let end = playPhrase(rig, pitches: motif, beats: [0.5], bpm: 120, start: 4_800)
        rig.run(until: end + frames(beats: 10))
        let ons = rig.generatedNoteOns.map { Int($0.bytes.data1) }
        return zip(ons.dropFirst(), ons).map { $0 - $1 }
    }

    @Test func followQuotesThePlayersMotifs() {
        let motifIntervals: Set = [2, -4, 0, 5]
        func share(_ intervals: [Int]) -> Double {
            Double(intervals.filter(motifIntervals.contains).count) / Double(max(intervals.count, 1))
        }
        let lstm = answerIntervals(follow: 0), performer = answerIntervals(follow: 1)
        #expect(performer.count >= 4)
        #expect(share(performer) > 0.8, "performer model alone: \(performer)")
        #expect(share(lstm) < 0.5, "the (noise) model alone: \(lstm)")
    }

    @Test func resetForgetsAndMemoryIsBounded() {
        let rig = Rig(configuration(.accompany))
        rig.engine.set(.density, .real(0))
        var end: Int64 = 4_800
        for _ in 0..<50 { end = playPhrase(rig, pitches: [60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65], beats: [0.25], bpm: 120, start: end) }
        let status = rig.engine.status.listening
        #expect(status.performerNotes == status.performerCapacity)
        #expect(rig.engine.performerNotes.count == status.performerCapacity)
        rig.engine.resetListening()
        #expect(rig.engine.status.listening.performerNotes == 0)
        #expect(rig.engine.status.listening.key == nil)
        #expect(!rig.engine.status.listening.following)
        #expect(rig.engine.status.bpm == 100)
    }

    @Test func followIsLiveAndRangeChecked() {
        let rig = Rig(configuration(.callResponse))
        rig.engine.set(.follow, .real(0.7))
        #expect(rig.engine.value(of: .follow) == .real(0.7))
        rig.engine.set(.follow, .real(1.5))
        #expect(rig.engine.value(of: .follow) == .real(0.7))
    }
}

@Suite struct ChordFollowingTests {
    /// Share of the machine's note-ons that are tones of the C major triad the performer holds.
    func chordToneShare(strength: Double) -> (share: Double, notes: Int, chord: String?) {
        var c = configuration(.accompany)
        c.harmonyStrength = strength
        let rig = Rig(c, seed: 9)
        for pitch: UInt8 in [48, 52, 55] { rig.play(.noteOn(channel: 0, pitch: pitch, velocity: 80), at: 4_800) }
        let chord = rig.engine.status.listening.chord
        rig.run(until: 4_800 + frames(beats: 6))
        let ons = rig.generatedNoteOns.map { Int($0.bytes.data1) }
        for pitch: UInt8 in [48, 52, 55] { rig.play(.noteOff(channel: 0, pitch: pitch), at: rig.now + 10) }
        return (Double(ons.filter { [0, 4, 7].contains($0 % 12) }.count) / Double(max(ons.count, 1)), ons.count, chord)
    }

    @Test func accompanimentFitsTheHeldChord() {
        let off = chordToneShare(strength: 0), on = chordToneShare(strength: 6)
        #expect(on.chord == "C")
        #expect(on.notes >= 4 && off.notes >= 4)
        #expect(off.share < 0.5, "chord tones without the pull: \(off)")
        #expect(on.share > 0.9, "chord tones with strength 6: \(on)")
    }
}
