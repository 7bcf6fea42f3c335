import ContinuoMIDI
import ContinuoEncoding
import Testing
@testable import ContinuoEngine

@Suite struct TempoTests {
    @Test func midiClockSetsTheTempo() {
        var c = EngineConfiguration(mode: .callResponse, bpm: 120)
        c.tempoSource = .midiClock
        let engine = Engine(inference: tinyInference(), configuration: c, seed: 1)
        #expect(engine.status.bpm == 120)
        // 100 bpm: a tick every 48000 * 60 / 100 / 24 = 1200 frames, with a little jitter and one
        // late tick (a stalled cycle) that must not move the estimate.
        engine.receive(.clockStart, at: 0)
        var frame: Int64 = 0
        for i in 0..<96 {
            let jitter = Int64([0, 17, -23, 9, -5][i % 5])
            engine.receive(.clockTick, at: frame + jitter + (i == 50 ? 2_000 : 0))
            frame += 1_200
            _ = engine.advance(to: frame - 600)
        }
        let bpm = engine.status.bpm
        #expect(abs(bpm - 100) / 100 < 0.01, "estimated \(bpm)")
        // The beat follows the tick count.
        #expect(abs(engine.beat(at: frame - 1_200) - 95.0 / 24) < 0.05, "beat \(engine.beat(at: frame - 1_200))")
    }

    @Test func transportTempoAndBeat() {
        var c = EngineConfiguration(mode: .accompany, bpm: 120)
        c.tempoSource = .transport
        let engine = Engine(inference: tinyInference(), configuration: c, seed: 1)
        engine.receiveTransport(rolling: true, bpm: 90, beat: 16, at: 48_000)
        #expect(engine.status.bpm == 90)
        #expect(abs(engine.beat(at: 48_000 + 32_000) - 17) < 1e-9)
        // Stopped: the last tempo stays.
        engine.receiveTransport(rolling: false, bpm: 140, beat: 0, at: 96_000)
        #expect(engine.status.bpm == 90)
    }

    /// The same phrase and seed at 60 and 120 bpm give the same answer, twice as slow in frames.
    @Test func generatedTimingScalesWithTempo() {
        func answer(bpm: Double) -> [Int64] {
            var c = EngineConfiguration(mode: .callResponse, bpm: bpm)
            c.silenceBeats = 1
            c.responseBeats = 4
            c.sampler.allowEnd = false
            let rig = Rig(c, seed: 42)
            for i in 0..<6 {
                let on = frames(beats: 1 + Double(i) * 0.5, bpm: bpm)
                rig.play(.noteOn(channel: 0, pitch: UInt8(60 + 2 * i), velocity: 90), at: on)
                rig.play(.noteOff(channel: 0, pitch: UInt8(60 + 2 * i)), at: on + frames(beats: 0.25, bpm: bpm))
            }
            rig.run(until: frames(beats: 12, bpm: bpm))
            let onsets = rig.generatedNoteOns.map(\.frame)
            return onsets.map { $0 - onsets[0] }
        }
        let slow = answer(bpm: 60), fast = answer(bpm: 120)
        #expect(slow.count > 3)
        #expect(slow.count == fast.count)
        for (s, f) in zip(slow, fast) { #expect(abs(s - 2 * f) <= 2, "\(s) vs 2 x \(f)") }
    }

    @Test func quantisedOnsetsFallOnTheGrid() {
        var c = EngineConfiguration(mode: .accompany, bpm: 120)
        c.quantizeGrid = 3
        let rig = Rig(c, seed: 5)
        for i in 0..<24 {
            // Off-grid performer timing.
            let on = 1_000 + frames(beats: Double(i) * 0.37)
            rig.play(.noteOn(channel: 0, pitch: UInt8(50 + i % 12), velocity: 80), at: on)
            rig.play(.noteOff(channel: 0, pitch: UInt8(50 + i % 12)), at: on + 3_000)
        }
        let onsets = rig.generatedNoteOns
        #expect(onsets.count > 5)
        // 16ths at 120 bpm are 6000 frames; within half a step (1000) of the grid, except onsets
        // released late (clamped to the performer's frame).
        let onGrid = onsets.filter { event in
            let offset = event.frame % 6_000
            return min(offset, 6_000 - offset) <= 1_000
        }
        #expect(Double(onGrid.count) >= 0.8 * Double(onsets.count), "\(onGrid.count) of \(onsets.count) on the grid")
    }
}
