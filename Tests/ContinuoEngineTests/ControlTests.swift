import ContinuoParameters
import ContinuoMIDI
import ContinuoEncoding
import Foundation
import Testing
@testable import ContinuoEngine

@Suite struct ControlTests {
    func configuration() -> EngineConfiguration {
        var c = EngineConfiguration(mode: .accompany, bpm: 120)
        c.controls = [CCBinding(controller: 74, parameter: .parameter(.temperature)), CCBinding(controller: 75, parameter: .parameter(.mode)),
                      CCBinding(controller: 76, parameter: .onOff), CCBinding(controller: 77, parameter: .parameter(.density), channel: 0)]
        return c
    }

    @Test func temperatureKnob() {
        let rig = Rig(configuration())
        rig.play(.controlChange(channel: 0, controller: 74, value: 127), at: 100)
        #expect(abs(rig.engine.configuration.sampler.temperature - 2.0) < 1e-6)
        #expect(rig.engine.committedChain.stages.contains(.temperature(2.0)))
        rig.play(.controlChange(channel: 0, controller: 74, value: 0), at: 200)
        #expect(abs(rig.engine.configuration.sampler.temperature - 0.1) < 1e-6)
        #expect(rig.engine.status.counters.controlChanges == 2)
    }

    @Test func modeKnobSwitchesAndSilences() {
        let rig = Rig(configuration())
        var frame: Int64 = 1_000
        // Accompany until the machine sounds something.
        for i in 0..<40 where rig.engine.status.soundingNotes.isEmpty {
            rig.play(.noteOn(channel: 0, pitch: UInt8(60 + i % 5), velocity: 80), at: frame)
            rig.play(.noteOff(channel: 0, pitch: UInt8(60 + i % 5)), at: frame + 4_000)
            frame += 6_000
        }
        #expect(!rig.engine.status.soundingNotes.isEmpty)
        let output = rig.play(.controlChange(channel: 0, controller: 75, value: 40), at: rig.now + 10)
        #expect(rig.engine.status.mode == .callResponse)
        #expect(output.flush)
        #expect(rig.engine.status.soundingNotes.isEmpty)
        rig.run(until: rig.now + 1_000)
        #expect(rig.jack.soundingGenerated == 0)
        #expect(rig.jack.violations.isEmpty)
        // The four ranges.
        for (value, mode) in [(0, EngineMode.off), (63, .callResponse), (64, .accompany), (127, .effect)] {
            rig.play(.controlChange(channel: 0, controller: 75, value: UInt8(value)), at: rig.now + 10)
            #expect(rig.engine.status.mode == mode)
        }
    }

    @Test func onOffAndDensityAndUnboundControllers() {
        var c = configuration()
        c.mode = .effect
        let rig = Rig(c)
        rig.play(.controlChange(channel: 0, controller: 76, value: 0), at: 100)
        #expect(rig.engine.status.paused)
        let paused = rig.play(.noteOn(channel: 0, pitch: 60, velocity: 90), at: 200)
        // Paused: the input still passes through, the machine says nothing.
        #expect(paused.events.count == 1 && !paused.events[0].isGenerated)
        rig.play(.controlChange(channel: 0, controller: 76, value: 127), at: 300)
        #expect(!rig.engine.status.paused)
        // Density on channel 0 only.
        rig.play(.controlChange(channel: 1, controller: 77, value: 0), at: 400)
        #expect(rig.engine.configuration.density == 1)
        rig.play(.controlChange(channel: 0, controller: 77, value: 0), at: 500)
        #expect(rig.engine.configuration.density == 0)
        let silent = rig.play(.noteOn(channel: 0, pitch: 62, velocity: 90), at: 600)
        #expect(silent.events.allSatisfy { !$0.isGenerated })
        // Unbound controllers pass through in effect mode.
        let through = rig.play(.controlChange(channel: 0, controller: 1, value: 99), at: 700)
        #expect(through.events == [OutputEvent(frame: 700, bytes: .controlChange(channel: 0, controller: 1, value: 99), isGenerated: false)])
    }

    @Test func ccMapRanges() {
        let bindings = [CCBinding(controller: 10, parameter: .parameter(.mode))]
        #expect(CCMap.action(bindings, channel: 0, controller: 10, value: 31) == .set(.mode, .choice("off")))
        #expect(CCMap.action(bindings, channel: 0, controller: 10, value: 32) == .set(.mode, .choice("call-response")))
        #expect(CCMap.action(bindings, channel: 0, controller: 10, value: 95) == .set(.mode, .choice("accompany")))
        #expect(CCMap.action(bindings, channel: 0, controller: 10, value: 96) == .set(.mode, .choice("effect")))
        #expect(CCMap.action(bindings, channel: 0, controller: 11, value: 96) == nil)
    }

    @Test func configurationDecodesPartially() throws {
        let json = #"{"mode": "effect", "bpm": 96, "controls": [{"controller": 74, "parameter": "temperature"}], "sampler": {"temperature": 0.8}}"#
        let c = try JSONDecoder().decode(EngineConfiguration.self, from: Data(json.utf8))
        #expect(c.mode == .effect && c.bpm == 96 && c.windowEvents == 256 && c.lookaheadFrames == 256)
        #expect(c.controls == [CCBinding(controller: 74, parameter: .parameter(.temperature))])
        #expect(c.sampler.temperature == 0.8)
        let again = try JSONDecoder().decode(EngineConfiguration.self, from: JSONEncoder().encode(c))
        #expect(again == c)
    }

    /// Running-status keyboards end notes with 9n vv=0; effect mode passes every other channel
    /// message (pitch bend here) through unchanged, at its own frame.
    @Test func rawMIDIIsReadAsTheWireSpellsIt() {
        var c = configuration()
        c.mode = .effect
        let rig = Rig(c)
        rig.play(MIDIBytes(0x91, 60, 100), at: 300)
        let off = rig.play(MIDIBytes(0x91, 60, 0), at: 400)
        #expect(off.events.contains { !$0.isGenerated && $0.bytes == .noteOff(channel: 1, pitch: 60) })
        let bend = rig.play(MIDIBytes(0xE0, 0, 64), at: 500)
        #expect(bend.events == [OutputEvent(frame: 500, bytes: MIDIBytes(0xE0, 0, 64), isGenerated: false)])
        let before = rig.engine.status.counters.inputs
        rig.play(MIDIBytes(0xF2, 1, 2), at: 600) // song position: not for the engine
        #expect(rig.engine.status.counters.inputs == before)
    }

    @Test func swapModelPanicAndShutdown() {
        let rig = Rig(configuration())
        var frame: Int64 = 1_000
        for i in 0..<20 {
            rig.play(.noteOn(channel: 0, pitch: UInt8(60 + i % 5), velocity: 80), at: frame)
            rig.play(.noteOff(channel: 0, pitch: UInt8(60 + i % 5)), at: frame + 3_000)
            frame += 5_000
        }
        let reprimes = rig.engine.status.counters.reprimes
        rig.engine.swapModel(tinyInference(seed: 99))
        #expect(rig.engine.status.counters.reprimes > reprimes)
        #expect(rig.engine.status.soundingNotes.isEmpty)
        rig.play(.noteOn(channel: 0, pitch: 70, velocity: 80), at: rig.now + 100)
        rig.run(until: rig.now + 10_000)
        let panic = rig.engine.panic(at: rig.now)
        #expect(panic.flush)
        #expect(panic.events.contains { $0.bytes == .allNotesOff(channel: 1) })
        rig.take(panic)
        rig.take(rig.engine.shutdown(at: rig.now))
        rig.jack.render(until: .max)
        #expect(rig.jack.soundingGenerated == 0)
        #expect(rig.jack.violations.isEmpty)
        #expect(rig.engine.status.isShutDown)
    }
}
