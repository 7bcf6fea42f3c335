import ContinuoALSA
import ContinuoJACK
import ContinuoMIDI
import Foundation
import Testing
@testable import ContinuoDaemon

/// The daemon's ALSA backend against a real kernel sequencer (scripts/alsa-vm where this machine
/// has none): what the worker hands over early arrives at its time, with its rhythm; a flush or
/// a panic ends what sounds; stopping leaves nothing sounding.
@Suite(.serialized, .enabled(if: ALSASequencer.isAvailable, "no ALSA sequencer here (/dev/snd/seq); scripts/alsa-vm runs these in a VM"))
struct ALSASessionTests {
    func session(listener: String) throws -> ALSASession {
        var preset = Preset()
        preset.jack.clientName = "continuo-session-test"
        preset.alsa.connectOutput = [listener]
        return try ALSASession(options: Daemon.Options(preset: preset, presetPath: "", modelPath: "", jackServer: nil), log: Log(minimum: .error))
    }

    func collect(_ seq: ALSASequencer, seconds: Double, until count: Int = .max) throws -> [(bytes: MIDIBytes, at: Int64)] {
        var got: [(bytes: MIDIBytes, at: Int64)] = []
        let deadline = Date().addingTimeInterval(seconds)
        while got.count < count, Date() < deadline {
            if case let .message(m, at, _, _)? = try seq.receive(timeoutMilliseconds: 20) { got.append((m, at)) }
        }
        return got
    }

    /// A phrase scheduled all at once, half a second ahead, as a worker that ran early would:
    /// each note arrives within 5 ms of its frame (an emulated VM's timer; sent "now" they
    /// would all come half a second early), so the rhythm is the one scheduled.
    @Test func whatIsHandedOverEarlyArrivesWithItsRhythm() throws {
        let listener = try ALSASequencer(name: "continuo-rhythm", inputName: "in", outputName: "out")
        let alsa = try session(listener: "continuo-rhythm")
        defer { alsa.close() }
        // The two queues count from different starts: their difference, read back to back.
        let offset = listener.now - alsa.sequencer.now
        let start = alsa.nextCycle + 24_000
        let steps = [0, 6_000, 12_000, 15_000, 18_000, 30_000, 31_500, 33_000, 42_000, 54_000]   // frames at 48 kHz
        var meant: [(MIDIBytes, Int64)] = []
        for (k, step) in steps.enumerated() {
            let pitch = UInt8(60 + k)
            meant.append((.noteOn(channel: 0, pitch: pitch, velocity: 80), start + Int64(step)))
            meant.append((.noteOff(channel: 0, pitch: pitch), start + Int64(step) + 1_200))
        }
        meant.sort { $0.1 < $1.1 }
        for (bytes, frame) in meant { #expect(alsa.scheduler.schedule(bytes, at: frame)) }
        let got = try collect(listener, seconds: 5, until: meant.count)
        #expect(got.map(\.bytes) == meant.map(\.0), "every message, in order")
        let lateness = zip(got, meant).map { Double($0.at - offset) / 1e6 - Double($1.1) / 48 }
        // One late wake-up of an emulated VM's timer is allowed, never 20 ms.
        #expect(lateness.filter { abs($0) >= 5 }.count <= 1 && lateness.allSatisfy { abs($0) < 20 }, "ms from schedule: \(lateness)")
        let rhythm = zip(got.dropFirst(), got).map { Double($0.at - $1.at) / 1e6 }
        let scheduled = zip(meant.dropFirst(), meant).map { Double($0.1 - $1.1) / 48 }
        #expect(zip(rhythm, scheduled).filter { abs($0 - $1) >= 5 }.count <= 2, "intervals \(rhythm) for \(scheduled)")
        #expect(alsa.droppedOutputs == 0)
    }

    /// A barge-in (flush) drops what was queued and ends the machine's sounding notes; a panic
    /// ends passed-through notes too and sends All Notes Off; closing waits for them to leave.
    @Test func flushAndPanicEndWhatSounds() throws {
        let listener = try ALSASequencer(name: "continuo-flush-listener", inputName: "in", outputName: "out")
        let alsa = try session(listener: "continuo-flush-listener")
        let now = alsa.nextCycle
        alsa.scheduler.schedule(.noteOn(channel: 0, pitch: 60, velocity: 90), at: now)
        alsa.scheduler.schedule(.noteOn(channel: 3, pitch: 40, velocity: 90), at: now, isGenerated: false)
        alsa.scheduler.schedule(.noteOff(channel: 0, pitch: 60), at: now + 48_000)
        alsa.scheduler.schedule(.noteOn(channel: 0, pitch: 62, velocity: 90), at: now + 48_000)
        var got = try collect(listener, seconds: 2, until: 2)
        #expect(got.map(\.bytes).contains(.noteOn(channel: 0, pitch: 60, velocity: 90)))
        alsa.scheduler.flush()
        got += try collect(listener, seconds: 1.5)
        #expect(got.contains { $0.bytes == .noteOff(channel: 0, pitch: 60) }, "the machine's note ended by the flush")
        #expect(!got.contains { $0.bytes.isNoteOn && $0.bytes.data1 == 62 }, "a flushed note was played: \(got.map(\.bytes))")
        #expect(!got.contains { $0.bytes == .noteOff(channel: 3, pitch: 40) }, "a flush leaves the performer's note alone")
        alsa.scheduler.panic()
        alsa.close()
        got += try collect(listener, seconds: 1)
        #expect(got.contains { $0.bytes == .noteOff(channel: 3, pitch: 40) }, "the panic ends the passed-through note")
        #expect(got.contains { $0.bytes.status == 0xB0 && $0.bytes.data1 == 123 }, "All Notes Off")
    }
}
