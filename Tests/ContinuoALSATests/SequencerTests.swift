import ContinuoMIDI
import Foundation
import Testing
@testable import ContinuoALSA

/// Against a real kernel sequencer: run by `scripts/alsa-vm` (a qemu VM with Debian's kernel and
/// `snd-seq-dummy`) where this machine has none, directly where `/dev/snd/seq` exists.
// Serialized: Midi Through hands every message to every subscriber, so tests in parallel would hear each other.
@Suite(.serialized, .enabled(if: ALSASequencer.isAvailable, "no ALSA sequencer here (/dev/snd/seq); scripts/alsa-vm runs these in a VM"))
struct SequencerTests {
    /// The kernel's loopback client (snd-seq-dummy): what is played into it comes back out.
    func midiThrough(_ seq: ALSASequencer) throws -> ALSASequencer.Port {
        try #require(seq.ports.first { $0.clientName == "Midi Through" && $0.sends && $0.receives })
    }

    /// Collects messages until `count` have come or `seconds` passed.
    func collect(_ seq: ALSASequencer, count: Int, seconds: Double) throws -> [(MIDIBytes, Int64)] {
        var got: [(MIDIBytes, Int64)] = []
        let deadline = Date().addingTimeInterval(seconds)
        while got.count < count, Date() < deadline {
            if case let .message(m, at, _, _)? = try seq.receive(timeoutMilliseconds: 50) { got.append((m, at)) }
        }
        return got
    }

    @Test func scheduledNotesArriveInOrderAtTheirTimes() throws {
        let seq = try ALSASequencer(name: "continuo-test")
        let through = try midiThrough(seq)
        try seq.play(into: through)
        try seq.listen(to: through)
        // Twenty notes 25 ms apart, all sent at once, 100 ms ahead: the queue plays them in time.
        let start = seq.now + 100_000_000
        var sent: [(MIDIBytes, Int64)] = []
        for k in 0..<20 {
            let at = start + Int64(k) * 25_000_000
            sent.append((.noteOn(channel: 1, pitch: UInt8(60 + k), velocity: 90), at))
            sent.append((.noteOff(channel: 1, pitch: UInt8(60 + k)), at + 12_000_000))
        }
        for (message, at) in sent.sorted(by: { $0.1 < $1.1 }) { try seq.send(message, at: at) }
        let got = try collect(seq, count: sent.count, seconds: 5)
        let expected = sent.sorted { $0.1 < $1.1 }
        #expect(got.map(\.0) == expected.map(\.0), "every message, in order")
        // Stamped on arrival by the same queue: each within 5 ms of its schedule; an emulated
        // VM's timer may wake one delivery late (7.6 ms seen once in CI), never by 20 ms.
        let lateness = zip(got, expected).map { Double($0.1 - $1.1) / 1e6 }
        #expect(lateness.filter { $0 < -0.5 || $0 >= 5 }.count <= 1 && lateness.allSatisfy { $0 >= -0.5 && $0 < 20 }, "lateness in ms: \(lateness)")
    }

    @Test func dropScheduledFlushesWhatIsPending() throws {
        let seq = try ALSASequencer(name: "continuo-flush")
        let through = try midiThrough(seq)
        try seq.play(into: through)
        try seq.listen(to: through)
        try seq.send(.noteOn(channel: 0, pitch: 64, velocity: 80), at: nil)
        try seq.send(.noteOff(channel: 0, pitch: 64), at: seq.now + 400_000_000)
        seq.dropScheduled()
        try seq.send(.noteOff(channel: 0, pitch: 64), at: nil)
        let got = try collect(seq, count: 3, seconds: 1)
        #expect(got.map(\.0) == [.noteOn(channel: 0, pitch: 64, velocity: 80), .noteOff(channel: 0, pitch: 64)])
    }

    @Test func connectsByNameAndHearsPortsComeAndGo() throws {
        let seq = try ALSASequencer(name: "continuo-hotplug")
        #expect(seq.connect(inputs: ["Midi Through"], outputs: []).count == 1)
        #expect(seq.connect(inputs: ["No Such Keyboard"], outputs: []).isEmpty)
        // A device plugged in later: another client appears, then goes away.
        var later: ALSASequencer? = try ALSASequencer(name: "Late Keyboard")
        let id = later!.clientID
        var appeared = false, wentAway = false
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline, !appeared {
            if case let .portAppeared(client, _)? = try seq.receive(timeoutMilliseconds: 50), client == id { appeared = true }
        }
        #expect(appeared)
        #expect(seq.connect(inputs: ["Late Keyboard:out"], outputs: ["Late Keyboard:in"]).count == 2)
        later = nil
        while Date() < deadline + 2, !wentAway {
            if case let .portWentAway(client, _)? = try seq.receive(timeoutMilliseconds: 50), client == id { wentAway = true }
        }
        #expect(wentAway)
        #expect(later == nil)
    }
}
