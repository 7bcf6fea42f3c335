import ContinuoMIDI
import ContinuoEncoding
import Testing
@testable import ContinuoEngine

@Suite struct EffectTests {
    func configuration() -> EngineConfiguration {
        var c = EngineConfiguration(mode: .effect, bpm: 120)
        c.outputChannel = 1
        c.inputChannel = 0
        c.responseDelayFrames = period
        return c
    }

    @Test func inputPassesThroughAndEveryNoteIsAnsweredWithinAPeriod() {
        let rig = Rig(configuration())
        var random = SystemRandomNumberGenerator()
        var delays: [Int64] = []
        var frame: Int64 = 1_000
        var down: [UInt8] = []
        for _ in 0..<1_000 {
            // Random gaps, some within one period, random chords and releases.
            frame += Int64.random(in: 1...3_000, using: &random)
            if !down.isEmpty && (down.count > 3 || Bool.random(using: &random)) {
                let pitch = down.remove(at: Int.random(in: 0..<down.count, using: &random))
                let output = rig.play(.noteOff(channel: 0, pitch: pitch), at: frame)
                #expect(output.events.contains { $0.frame == frame && !$0.isGenerated && $0.bytes == .noteOff(channel: 0, pitch: pitch) })
                continue
            }
            var pitch = UInt8.random(in: 40...90, using: &random)
            while down.contains(pitch) { pitch += 1 }
            down.append(pitch)
            let output = rig.play(.noteOn(channel: 0, pitch: pitch, velocity: 100), at: frame)
            #expect(output.events.contains { $0.frame == frame && !$0.isGenerated && $0.bytes == .noteOn(channel: 0, pitch: pitch, velocity: 100) },
                    "note-on \(pitch) at \(frame) did not pass through")
            let answer = output.events.first { event in
                event.bytes.isNoteOn && event.isGenerated
            }
            delays.append((answer?.frame ?? Int64.max / 2) - frame)
        }
        for pitch in down { rig.play(.noteOff(channel: 0, pitch: pitch), at: frame + 10) }
        let sorted = delays.sorted()
        let p999 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.999).rounded(.up)) - 1)]
        #expect(p999 <= period, "p99.9 response delay \(p999) frames")
        #expect(sorted.allSatisfy { $0 >= 0 })
        #expect(rig.generatedNoteOns.allSatisfy { $0.channel == 1 })
        rig.take(rig.engine.shutdown(at: rig.now))
        rig.jack.render(until: .max)
        #expect(rig.jack.violations.isEmpty, "\(rig.jack.violations.prefix(5))")
        #expect(rig.jack.soundingGenerated == 0)
        #expect(rig.jack.through.isEmpty)
    }

    @Test func answersEndWithTheirNote() {
        let rig = Rig(configuration())
        rig.play(.noteOn(channel: 0, pitch: 60, velocity: 90), at: 1_000)
        #expect(rig.engine.status.soundingNotes.count == 1)
        let off = rig.play(.noteOff(channel: 0, pitch: 60), at: 9_000)
        let generatedOffs = off.events.filter { $0.isGenerated && $0.bytes.isNoteOff }
        #expect(generatedOffs.count == 1)
        #expect(generatedOffs.first?.frame == 9_000 + period)
        #expect(rig.engine.status.soundingNotes.isEmpty)
    }

    @Test func otherChannelsPassThroughWithoutAnswers() {
        let rig = Rig(configuration())
        let output = rig.play(.noteOn(channel: 5, pitch: 60, velocity: 90), at: 1_000)
        #expect(output.events.count == 1)
        #expect(output.events.first?.channel == 5)
        #expect(rig.engine.status.counters.performerNotes == 0)
    }

    @Test func answersEndAfterMaxNoteBeats() {
        var c = configuration()
        c.maxNoteBeats = 1
        let rig = Rig(c)
        rig.play(.noteOn(channel: 0, pitch: 60, velocity: 90), at: 1_000)
        rig.run(until: 1_000 + frames(beats: 2))
        #expect(rig.engine.status.soundingNotes.isEmpty)
        rig.play(.noteOff(channel: 0, pitch: 60), at: rig.now + 10)
        #expect(rig.jack.violations.isEmpty, "\(rig.jack.violations.prefix(5))")
    }
}
