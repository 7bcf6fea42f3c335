import ContinuoTestSupport
import Foundation
import Testing
@testable import ContinuoJACK

/// Two clients on one private server: A's MIDI output feeds B's input.
extension JackServerTests {
@Suite struct LoopbackTests {
    /// Frames between A writing an event and B (downstream of A) reading it: 0. JACK runs A
    /// before B within the same cycle, so B sees A's output at the same absolute frame.
    static let pathLatency: Int64 = 0
    /// A round trip A → B → A (B copying in to out within its callback) takes exactly one
    /// period: the edge back into A is a feedback edge, read by A in the next cycle.
    static let roundTripLatency: Int64 = 128

    /// Sample accuracy is a promise for cycles the server runs on time. A virtual machine's
    /// timer sometimes wakes the dummy driver late (an xrun: a cycle is skipped, its events go a
    /// period later); such a run says nothing either way, so it is run again, up to `attempts`
    /// times, and the assertions hold on the first run without xruns (or, failing, the last).
    static let attempts = 6

    struct PulseOutcome {
        var xruns = 0
        var sent: [Int64] = []
        var got: [Received] = []
        var lost = 0
        var dropped = 0
    }

    func pulses() throws -> PulseOutcome {
        let server = try JackTestServer()
        defer { server.stop() }
        let a = try JackClient(name: "sender", server: server.name)
        let b = try JackClient(name: "receiver", server: server.name)
        defer { a.close(); b.close() }
        let sender = PulseSender(port: try a.registerMIDIOutput(name: "out"), every: 3, offset: 17)
        let recorder = Recorder(input: try b.registerMIDIInput(name: "in"))
        try a.activate(process: sender)
        try b.activate(process: recorder)
        try a.connect("sender:out", "receiver:in")
        let connectedAt = b.cycleCount
        #expect(waitFor(2) { b.cycleCount > connectedAt + 2 }, "cycles run on the new graph before counting")
        var outcome = PulseOutcome()
        let xrunsBefore = a.xrunCount + b.xrunCount
        sender.go.store(true, ordering: .releasing)
        _ = waitFor(5) {
            while let f = sender.sent.pop() { outcome.sent.append(f) }
            outcome.got += recorder.drain()
            return outcome.sent.count >= 60 && outcome.got.count >= outcome.sent.count
        }
        sender.go.store(false, ordering: .releasing)
        outcome.xruns = a.xrunCount + b.xrunCount - xrunsBefore
        outcome.lost = recorder.lost.load(ordering: .relaxed)
        outcome.dropped = a.droppedOutputEvents
        return outcome
    }

    @Test func receiverSeesEveryEventAtTheExpectedFrame() throws {
        var outcome = try pulses()
        for _ in 1..<Self.attempts where outcome.xruns > 0 { outcome = try pulses() }
        let n = min(outcome.sent.count, outcome.got.count)
        let deltas = zip(outcome.sent.prefix(n), outcome.got.prefix(n)).map { $1.frame - $0 }
        #expect(outcome.xruns == 0, "every one of \(Self.attempts) runs had xruns")
        #expect(n >= 60)
        #expect(Set(deltas) == [Self.pathLatency], "deltas: \(Set(deltas))")
        #expect(outcome.got.prefix(n).map(\.bytes.data1) == (0..<n).map { UInt8($0 & 0x7F) }, "in order, none lost")
        #expect(outcome.lost == 0)
        #expect(outcome.dropped == 0)
    }

    struct SchedulerOutcome {
        var xruns = 0
        var expected: [Received] = []
        var played: [Received] = []
        var lateAfterPart1 = 0
        var soundingBeforeFlush = 0
        var flushed: [Received] = []
        var soundingAfterFlush = 0
        var staleDiscarded = false
        var lateCounted = false
        var lateMaxFrames = 0
        var bufferSize = 0
        var dropped = 0
    }

    func schedulerRun() throws -> SchedulerOutcome {
        let server = try JackTestServer()
        defer { server.stop() }
        let a = try JackClient(name: "player", server: server.name)
        let b = try JackClient(name: "listener", server: server.name)
        defer { a.close(); b.close() }
        let scheduler = MIDIOutputScheduler(capacity: 1024)
        let player = SchedulerPlayer(output: try a.registerMIDIOutput(name: "out"), scheduler: scheduler)
        let recorder = Recorder(input: try b.registerMIDIInput(name: "in"))
        try a.activate(process: player)
        try b.activate(process: recorder)
        try a.connect("player:out", "listener:in")
        #expect(waitFor(2) { a.cycleCount > 2 })
        var o = SchedulerOutcome()
        let xrunsBefore = a.xrunCount + b.xrunCount

        // 1. Sample accuracy: 20 notes at awkward offsets, 50 ms ahead.
        let t0 = a.absoluteFrameTime + 2400
        for k in 0..<20 {
            let f = t0 + Int64(k * 301 + (k * 37) % 128)
            let p = UInt8(40 + k)
            o.expected.append(Received(frame: f, bytes: .noteOn(channel: 0, pitch: p, velocity: 80)))
            o.expected.append(Received(frame: f + 150, bytes: .noteOff(channel: 0, pitch: p)))
        }
        o.expected.sort { $0.frame < $1.frame }
        for e in o.expected { scheduler.schedule(e.bytes, at: e.frame) }
        _ = waitFor(3) { o.played += recorder.drain(); return o.played.count >= o.expected.count }
        o.lateAfterPart1 = scheduler.stats.late

        // 2. Flush: two notes sounding, their note-offs queued 1 s ahead; barge-in.
        let now = a.absoluteFrameTime
        for p: UInt8 in [70, 71] {
            scheduler.schedule(.noteOn(channel: 2, pitch: p, velocity: 90), at: now + 1200)
        }
        for p: UInt8 in [70, 71] { scheduler.schedule(.noteOff(channel: 2, pitch: p), at: now + 48_000) }
        var got: [Received] = []
        _ = waitFor(2) { got += recorder.drain(); return got.count >= 2 }
        o.soundingBeforeFlush = scheduler.soundingNotes
        scheduler.flush()
        _ = waitFor(2) { got += recorder.drain(); return got.count >= 6 }
        o.flushed = Array(got.dropFirst(2))
        o.soundingAfterFlush = scheduler.soundingNotes
        o.staleDiscarded = waitFor(1) { scheduler.stats.flushed == 2 }

        // 3. Late: an event scheduled in the past goes out at once, counted.
        let lateBefore = scheduler.stats.late
        scheduler.schedule(.controlChange(channel: 0, controller: 1, value: 1), at: a.absoluteFrameTime - 1000)
        o.lateCounted = waitFor(2) { scheduler.stats.late == lateBefore + 1 }
        o.lateMaxFrames = scheduler.stats.lateMaxFrames
        o.bufferSize = a.bufferSize
        o.dropped = scheduler.stats.dropped
        o.xruns = a.xrunCount + b.xrunCount - xrunsBefore
        return o
    }

    @Test func schedulerPlaysSampleAccuratelyAndFlushes() throws {
        var o = try schedulerRun()
        for _ in 1..<Self.attempts where o.xruns > 0 { o = try schedulerRun() }
        #expect(o.xruns == 0, "every one of \(Self.attempts) runs had xruns")
        let shifted = o.played.map { Received(frame: $0.frame - LoopbackTests.pathLatency, bytes: $0.bytes) }
        #expect(shifted == o.expected, "0 frames scheduling error")
        #expect(o.lateAfterPart1 == 0)
        #expect(o.soundingBeforeFlush == 2)
        // CC123 goes to every channel used since the last flush: 0 (part 1) and 2.
        #expect(o.flushed.map(\.bytes) == [.noteOff(channel: 2, pitch: 70), .noteOff(channel: 2, pitch: 71),
                                          .allNotesOff(channel: 0), .allNotesOff(channel: 2)])
        #expect(Set(o.flushed.map(\.frame)).count == 1, "all in the flush cycle, at offset 0")
        #expect(o.soundingAfterFlush == 0)
        #expect(o.staleDiscarded, "stale note-offs discarded, not played")
        #expect(o.lateCounted)
        // Rendered in the first cycle after scheduling, which starts at most a period before "now".
        #expect(o.lateMaxFrames >= 1000 - o.bufferSize)
        #expect(o.dropped == 0)
    }

    @Test func roundTripThroughSecondClientTakesOnePeriod() throws {
        let server = try JackTestServer()
        defer { server.stop() }
        let a = try JackClient(name: "origin", server: server.name)
        let b = try JackClient(name: "mirror", server: server.name)
        defer { a.close(); b.close() }
        let pinger = Pinger(output: try a.registerMIDIOutput(name: "out"), input: try a.registerMIDIInput(name: "in"))
        let mirror = Mirror(input: try b.registerMIDIInput(name: "in"), output: try b.registerMIDIOutput(name: "out"))
        try a.activate(process: pinger)
        try b.activate(process: mirror)
        try a.connect("origin:out", "mirror:in")
        try a.connect("mirror:out", "origin:in")
        let connectedAt = a.cycleCount
        #expect(waitFor(2) { a.cycleCount > connectedAt + 2 }, "cycles run on the new graph before counting")
        pinger.sender.go.store(true, ordering: .releasing)
        var sent: [Int64] = []
        var got: [Received] = []
        #expect(waitFor(5) {
            while let f = pinger.sender.sent.pop() { sent.append(f) }
            got += pinger.recorder.drain()
            return sent.count >= 30 && got.count >= sent.count
        })
        pinger.sender.go.store(false, ordering: .releasing)
        let n = min(sent.count, got.count)
        #expect(n >= 30)
        #expect(Set(zip(sent.prefix(n), got.prefix(n)).map { $1.frame - $0 }) == [Self.roundTripLatency])
    }
}

/// Sends pulses and records what comes back, in one client.
final class Pinger: RealtimeProcessor, @unchecked Sendable {
    let sender: PulseSender
    let recorder: Recorder
    init(output: MIDIOutputPort, input: MIDIInputPort) {
        sender = PulseSender(port: output, every: 4, offset: 5)
        recorder = Recorder(input: input)
    }
    func process(frames: Int, cycle: borrowing ProcessCycle) {
        recorder.process(frames: frames, cycle: cycle)
        sender.process(frames: frames, cycle: cycle)
    }
}

/// Copies its input to its output within the same callback (adds 0 frames).
final class Mirror: RealtimeProcessor, @unchecked Sendable {
    let input: MIDIInputPort
    let output: MIDIOutputPort
    init(input: MIDIInputPort, output: MIDIOutputPort) {
        self.input = input
        self.output = output
    }
    func process(frames: Int, cycle: borrowing ProcessCycle) {
        var writer = cycle.writer(for: output)
        var events = cycle.events(in: input)
        while let (offset, bytes) = events.next() { _ = writer.write(offset: offset, bytes: bytes) }
    }
}
}
