import ContinuoEncoding
import ContinuoEngine
import ContinuoJACK
import ContinuoMIDI
import ContinuoModel
import Testing
@testable import ContinuoDaemon

/// A performer holds a key in effect mode (the midi-effect preset's setup, at 48 kHz and 128
/// frames) while a control command lands. The machine's notes may end, the performer's must
/// sound until they let go: `EngineOutput`'s contract, followed through the daemon's router and
/// the real-time scheduler, rendered cycle by cycle without a server.
@Suite struct HeldThroughNoteTests {
    static let period = 128
    static let heldPitch: UInt8 = 64

    final class Rig {
        let engine: Engine
        let scheduler = MIDIOutputScheduler()
        let out = MIDICaptureBuffer(capacity: 8192)
        var now: Int64 = 0
        var report = Daemon.Report()

        init() throws {
            var preset = try PresetLoader.parse("""
                [engine]
                mode = "effect"
                effect_through = true
                output_channel = 2
                """, file: "held.toml")
            preset.name = "held"
            let configuration = preset.engineConfiguration(sampleRate: 48_000, bufferSize: HeldThroughNoteTests.period)
            let tiny = LSTMConfiguration(vocabularySize: Vocabulary.size, embeddingSize: 16, hiddenSize: 32, layerCount: 1)
            engine = Engine(inference: LSTMInference(model: try LSTMModel(configuration: tiny, seed: 3), precision: .int8),
                            configuration: configuration, seed: 1)
        }

        /// What the daemon's worker does each period: advance, route, render the cycle.
        func cycle() {
            apply(engine.advance(to: now))
            var writer = out.writer(cycleStart: now, frames: HeldThroughNoteTests.period)
            scheduler.render(into: &writer, cycleStart: now)
            now += Int64(HeldThroughNoteTests.period)
        }

        func apply(_ output: EngineOutput) {
            _ = OutputRouter.route(output, now: now, to: scheduler, counting: &report)
        }

        func play(_ bytes: MIDIBytes) {
            engine.receive(bytes, at: now - Int64(HeldThroughNoteTests.period) + 17)
            cycle()
        }

        func cycles(_ n: Int) { for _ in 0..<n { cycle() } }

        /// Frames of the note-offs written for `pitch` on `channel`.
        func noteOffs(_ pitch: UInt8, channel: UInt8) -> [Int64] {
            out.events.filter { $0.bytes.isNoteOff && $0.bytes.data1 == pitch && $0.bytes.channel == channel }.map(\.frame)
        }

        func allNotesOff(channel: UInt8) -> Int {
            out.events.filter { $0.bytes == .allNotesOff(channel: channel) }.count
        }
    }

    /// Holds `heldPitch`, lets the machine answer, runs `command`, then releases the key.
    /// Returns the rig and the frame the performer let go at.
    func holdAcross(_ command: (Rig) -> Void) throws -> (Rig, releasedAt: Int64) {
        let rig = try Rig()
        rig.cycles(4)
        rig.play(.noteOn(channel: 0, pitch: Self.heldPitch, velocity: 90))
        rig.cycles(8)
        #expect(rig.out.events.contains { $0.bytes == .noteOn(channel: 0, pitch: Self.heldPitch, velocity: 90) }, "the key passes through")
        command(rig)
        rig.cycles(8)
        let releasedAt = rig.now
        rig.play(.noteOff(channel: 0, pitch: Self.heldPitch))
        rig.cycles(4)
        return (rig, releasedAt)
    }

    func expectHeldUntilReleased(_ rig: Rig, releasedAt: Int64, _ command: String) {
        let offs = rig.noteOffs(Self.heldPitch, channel: 0)
        #expect(offs.count == 1, "\(command): one note-off for the held key, got \(offs)")
        #expect(offs.allSatisfy { $0 >= releasedAt - Int64(Self.period) }, "\(command): the held key was ended at \(offs) before the performer let go (\(releasedAt))")
        #expect(rig.allNotesOff(channel: 0) == 0, "\(command): All Notes Off on the performer's channel")
        #expect(rig.scheduler.soundingNotes == 0 || rig.engine.status.soundingNotes.count == rig.scheduler.soundingNotes,
                "\(command): nothing the scheduler does not account for")
    }

    @Test func pauseKeepsTheHeldNote() throws {
        let (rig, releasedAt) = try holdAcross { rig in
            rig.engine.pause()
            rig.apply(rig.engine.advance(to: rig.now))
        }
        expectHeldUntilReleased(rig, releasedAt: releasedAt, "pause")
    }

    @Test func aNewConfigurationKeepsTheHeldNote() throws {
        let (rig, releasedAt) = try holdAcross { rig in
            rig.engine.set(.responseBeats, .real(4))  // a whole new configuration
            rig.apply(rig.engine.advance(to: rig.now))
        }
        expectHeldUntilReleased(rig, releasedAt: releasedAt, "set(configuration:)")
    }

    @Test func transposeKeepsTheHeldNoteAndMovesOnlyTheMachine() throws {
        let (rig, releasedAt) = try holdAcross { rig in
            rig.engine.set(.transpose, .integer(5))  // what `set transpose 5` does
            rig.apply(rig.engine.advance(to: rig.now))
        }
        expectHeldUntilReleased(rig, releasedAt: releasedAt, "transpose")
        // The performer's note was not transposed on its way through.
        #expect(!rig.out.events.contains { $0.bytes.channel == 0 && $0.bytes.data1 == Self.heldPitch + 5 })
    }

    /// A panic, on the other hand, ends everything, the performer's notes included.
    @Test func panicEndsTheHeldNoteToo() throws {
        let rig = try Rig()
        rig.cycles(4)
        rig.play(.noteOn(channel: 0, pitch: Self.heldPitch, velocity: 90))
        rig.cycles(4)
        rig.apply(rig.engine.panic(at: rig.now))
        rig.scheduler.panic()
        rig.cycles(2)
        #expect(rig.noteOffs(Self.heldPitch, channel: 0).count == 1)
        #expect(rig.scheduler.soundingNotes == 0)
    }
}
