import ContinuoEncoding
import Testing
@testable import ContinuoEngine

@Suite struct AccompanyTests {
    @Test func playsAlongOnItsChannelAndHearsThePerformer() {
        var c = EngineConfiguration(mode: .accompany, bpm: 120)
        c.outputChannel = 3
        let rig = Rig(c)
        let before = rig.engine.status.historyTokens
        for i in 0..<16 {
            let on = 2_000 + frames(beats: Double(i) * 0.5)
            rig.play(.noteOn(channel: 0, pitch: UInt8(60 + i % 7), velocity: 80), at: on)
            rig.play(.noteOff(channel: 0, pitch: UInt8(60 + i % 7)), at: on + frames(beats: 0.25))
        }
        let status = rig.engine.status
        #expect(status.counters.performerNotes == 32)
        // Every performer note is in the history (ON or OFF token), along with the machine's.
        #expect(status.historyTokens - before >= 32)
        let window = rig.engine.historyWindow
        for i in 0..<7 { #expect(window.contains(Event.noteOn(pitch: UInt8(60 + i)).token)) }
        #expect(rig.generatedNoteOns.count > 0)
        #expect(rig.generatedNoteOns.allSatisfy { $0.channel == 3 })
        // No flush while accompanying: what was released stays.
        #expect(!rig.outputs.contains { $0.output.flush })
        #expect(rig.engine.status.generating)
        // The performer stops: the machine stops after accompanyIdleBeats and ends its notes.
        rig.run(until: rig.now + frames(beats: c.accompanyIdleBeats + 2))
        #expect(!rig.engine.status.generating)
        #expect(rig.engine.status.soundingNotes.isEmpty)
        #expect(rig.jack.violations.isEmpty, "\(rig.jack.violations.prefix(5))")
    }
}
