import ContinuoMIDI
import ContinuoEncoding
import ContinuoSampling
import Testing
@testable import ContinuoEngine

@Suite struct HygieneTests {
    /// Long random runs: random performer notes, modes, pauses, panics, model swaps and knob turns,
    /// played through the JACK model. Every note ends, none doubles, none overstays, nothing is
    /// released in the past.
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func randomSessionsStayClean(seed: UInt64) {
        var c = EngineConfiguration(mode: .accompany, bpm: 150)
        c.outputChannel = 2
        c.maxNoteBeats = 1.5
        c.windowEvents = 64
        c.silenceBeats = 0.5
        c.responseBeats = 2
        c.accompanyIdleBeats = 2
        c.controls = [CCBinding(controller: 20, parameter: .parameter(.temperature)), CCBinding(controller: 21, parameter: .parameter(.density)),
                      CCBinding(controller: 22, parameter: .parameter(.mode)), CCBinding(controller: 23, parameter: .onOff)]
        let rig = Rig(c, seed: seed)
        var random = SeededRandom(seed: seed)
        var down: [UInt8] = []  // an array: a Set's order changes per process
        var frame: Int64 = 500
        var swaps = 0
        for _ in 0..<1_500 {
            frame += Int64.random(in: 1...6_000, using: &random)
            let roll = Int.random(in: 0..<1_000, using: &random)
            switch roll {
            case 0..<8:
                rig.run(until: frame)
                rig.engine.set(mode: EngineMode.allCases.randomElement(using: &random)!)
            case 8..<12:
                rig.run(until: frame)
                rig.engine.pause()
            case 12..<20:
                rig.engine.resume()
            case 20..<23:
                rig.run(until: frame)
                rig.take(rig.engine.panic(at: rig.now))
            case 23..<25:
                rig.run(until: frame)
                rig.engine.swapModel(tinyInference(seed: UInt64(swaps) + 100))
                swaps += 1
            case 25..<45:
                rig.play(.controlChange(channel: 0, controller: UInt8.random(in: 20...23, using: &random),
                                        value: UInt8.random(in: 0...127, using: &random)), at: frame)
            case 45..<50:
                // A long silence: answers and idle stops get their chance.
                rig.run(until: frame + frames(beats: 4, bpm: 150))
                frame = rig.now
            default:
                if let pitch = down.randomElement(using: &random), down.count > 4 || Bool.random(using: &random) {
                    down.removeAll { $0 == pitch }
                    rig.play(.noteOff(channel: 0, pitch: pitch), at: frame)
                } else {
                    let pitch = UInt8.random(in: 36...96, using: &random)
                    guard !down.contains(pitch) else { continue }
                    down.append(pitch)
                    rig.play(.noteOn(channel: 0, pitch: pitch, velocity: UInt8.random(in: 1...127, using: &random)), at: frame)
                }
            }
        }
        for pitch in down { rig.play(.noteOff(channel: 0, pitch: pitch), at: rig.now + 1) }
        rig.run(until: rig.now + frames(beats: 2, bpm: 150))
        rig.take(rig.engine.shutdown(at: rig.now))
        rig.jack.render(until: .max)
        #expect(rig.jack.violations.isEmpty, "\(rig.jack.violations.count): \(rig.jack.violations.prefix(5))")
        #expect(rig.jack.soundingGenerated == 0)
        #expect(rig.jack.through.isEmpty)
        #expect(rig.engine.status.soundingNotes.isEmpty)
        #expect(rig.generatedNoteOns.count > 20, "\(rig.generatedNoteOns.count) generated notes")
        // All Notes Off on the machine's channel at shutdown.
        #expect(rig.outputs.last!.output.events.contains { $0.bytes == .allNotesOff(channel: 2) })
        // Shut down means silent.
        rig.engine.receive(.noteOn(channel: 0, pitch: 60, velocity: 100), at: rig.now + 10)
        #expect(rig.engine.advance(to: rig.now + 20).isEmpty)
    }

    @Test func noteOnForASoundingKeyIsNeverSent() {
        var notes = MachineNotes()
        #expect(notes.noteOn(channel: 1, pitch: 60, velocity: 90, at: 0) != nil)
        #expect(notes.noteOn(channel: 1, pitch: 60, velocity: 90, at: 10) == nil)
        #expect(notes.noteOff(channel: 1, pitch: 61, at: 10) == nil)
        #expect(notes.noteOff(channel: 1, pitch: 60, at: 20) != nil)
    }

    @Test func undoTakesBackWhatAFlushDrops() {
        var notes = MachineNotes()
        _ = notes.noteOn(channel: 1, pitch: 60, velocity: 90, at: 100)
        _ = notes.noteOff(channel: 1, pitch: 60, at: 300)
        _ = notes.noteOn(channel: 1, pitch: 62, velocity: 90, at: 300)
        notes.undo(from: 200)
        // The note-off at 300 was dropped: 60 still sounds; 62 never started.
        #expect(notes.isSounding(channel: 1, pitch: 60))
        #expect(!notes.isSounding(channel: 1, pitch: 62))
        var offs: [OutputEvent] = []
        notes.silenceGenerated(at: 200, into: &offs)
        #expect(offs == [OutputEvent(frame: 200, bytes: .noteOff(channel: 1, pitch: 60), isGenerated: true)])
        #expect(notes.generatedCount == 0)
    }
}
