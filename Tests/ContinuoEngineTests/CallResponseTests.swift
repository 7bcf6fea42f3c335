import ContinuoMIDI
import ContinuoEncoding
import Testing
@testable import ContinuoEngine

@Suite struct CallResponseTests {
    func configuration() -> EngineConfiguration {
        var c = EngineConfiguration(mode: .callResponse, bpm: 120)
        c.silenceBeats = 1
        c.responseBeats = 4
        c.sampler.allowEnd = false
        return c
    }

    /// Eight eighth notes over four beats.
    func playPhrase(_ rig: Rig, from start: Int64) -> Int64 {
        var last: Int64 = start
        for i in 0..<8 {
            let on = start + frames(beats: Double(i) * 0.5)
            rig.play(.noteOn(channel: 0, pitch: UInt8(60 + i), velocity: 90), at: on)
            last = on + frames(beats: 0.4)
            rig.play(.noteOff(channel: 0, pitch: UInt8(60 + i)), at: last)
        }
        return last
    }

    @Test func listensThenAnswersThenStopsOnBargeIn() {
        let rig = Rig(configuration())
        let phraseStart: Int64 = 4_800
        let phraseEnd = playPhrase(rig, from: phraseStart)
        // Silent while the performer plays.
        #expect(rig.generatedNoteOns.isEmpty)
        #expect(!rig.outputs.contains { $0.output.flush })

        let answerStart = phraseEnd + frames(beats: 1)
        rig.run(until: answerStart + frames(beats: 2))
        let first = rig.generatedNoteOns.first
        #expect(first != nil)
        if let first {
            // Within a period of the end of the silence, never before it.
            #expect(first.frame >= answerStart && first.frame <= answerStart + period,
                    "first answer note at \(first.frame), silence ended \(answerStart)")
            #expect(first.channel == 1)
        }
        #expect(rig.engine.status.generating)

        // Barge-in.
        let bargeIn = rig.now + 300
        let output = rig.play(.noteOn(channel: 0, pitch: 72, velocity: 80), at: bargeIn)
        #expect(output.flush)
        #expect(output.flushFrame == bargeIn)
        let soundingBefore = rig.jack.soundingGenerated
        let offs = output.events.filter { $0.bytes.isNoteOff && $0.isGenerated }
        #expect(offs.count >= soundingBefore)
        #expect(offs.allSatisfy { $0.frame == bargeIn })
        #expect(!rig.engine.status.generating)
        #expect(rig.engine.status.soundingNotes.isEmpty)
        // Nothing more from the machine while the performer holds on.
        let count = rig.generatedNoteOns.count
        rig.run(until: bargeIn + frames(beats: 0.5))
        #expect(rig.generatedNoteOns.count == count)
        rig.play(.noteOff(channel: 0, pitch: 72), at: bargeIn + frames(beats: 0.6))
        #expect(rig.jack.violations.isEmpty, "\(rig.jack.violations.prefix(5))")
        #expect(rig.engine.status.counters.rollbacks >= 1)
    }

    @Test func releasingAHeldKeyIsNotABargeIn() {
        let rig = Rig(configuration())
        rig.play(.noteOn(channel: 0, pitch: 60, velocity: 90), at: 1_000)
        rig.play(.noteOn(channel: 0, pitch: 64, velocity: 90), at: 3_000)
        rig.play(.noteOff(channel: 0, pitch: 64), at: 6_000)
        // 60 is held into the answer, which starts a beat after the last event.
        rig.run(until: 6_000 + frames(beats: 1.5))
        #expect(rig.engine.status.generating)
        let output = rig.play(.noteOff(channel: 0, pitch: 60), at: rig.now + 50)
        #expect(!output.flush)
        #expect(rig.engine.status.generating)
        #expect(rig.jack.violations.isEmpty)
    }

    @Test func answerLastsAboutResponseBeats() {
        let rig = Rig(configuration())
        let phraseEnd = playPhrase(rig, from: 2_400)
        let answerStart = phraseEnd + frames(beats: 1)
        rig.run(until: answerStart + frames(beats: 8))
        let generated = rig.events.map(\.event).filter(\.isGenerated)
        #expect(!generated.isEmpty)
        let lastFrame = generated.map(\.frame).max() ?? 0
        let end = answerStart + frames(beats: 4)
        #expect(lastFrame <= end + 2_000, "answer ran to \(lastFrame), should end near \(end)")
        #expect(lastFrame >= answerStart + frames(beats: 2), "answer stopped early at \(lastFrame)")
        #expect(!rig.engine.status.generating)
        #expect(rig.engine.status.soundingNotes.isEmpty)
        // Answered once: no second answer without the performer.
        let count = rig.generatedNoteOns.count
        rig.run(until: rig.now + frames(beats: 4))
        #expect(rig.generatedNoteOns.count == count)
        #expect(rig.jack.violations.isEmpty, "\(rig.jack.violations.prefix(5))")
    }
}
