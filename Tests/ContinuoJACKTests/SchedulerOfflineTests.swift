import ContinuoMIDI
import Testing
import ContinuoJACK

/// The scheduler driven cycle by cycle into a `MIDICaptureBuffer`: exact logic, no server.
@Suite struct SchedulerOfflineTests {
    let period = 128

    /// Renders cycles covering [from, to).
    func run(_ s: MIDIOutputScheduler, _ out: MIDICaptureBuffer, from: Int64, to: Int64) {
        var start = from
        while start < to {
            var writer = out.writer(cycleStart: start, frames: period)
            s.render(into: &writer, cycleStart: start)
            start += Int64(period)
        }
    }

    func on(_ p: UInt8, ch: UInt8 = 0) -> MIDIBytes { .noteOn(channel: ch, pitch: p, velocity: 90) }
    func off(_ p: UInt8, ch: UInt8 = 0) -> MIDIBytes { .noteOff(channel: ch, pitch: p) }

    @Test func eventsLandOnTheirFrames() {
        let s = MIDIOutputScheduler(capacity: 64)
        let out = MIDICaptureBuffer(capacity: 64)
        let frames: [Int64] = [1000, 1005, 1151, 1152, 1279, 5000]
        for (i, f) in frames.enumerated() { s.schedule(MIDIBytes(0xB0, UInt8(i), 1), at: f) }
        run(s, out, from: 896, to: 5120)
        #expect(out.events.map(\.frame) == frames)
        #expect(out.events.map { Int64($0.offset) } == frames.map { $0 % 128 })
        #expect(s.stats.written == 6)
        #expect(s.stats.late == 0)
    }

    /// Future events wait (in the pending set, taken out of the ring so they cannot hold back
    /// earlier events queued after them) until their cycle.
    @Test func futureEventsWaitForTheirCycle() {
        let s = MIDIOutputScheduler(capacity: 8)
        let out = MIDICaptureBuffer(capacity: 8)
        s.schedule(on(60), at: 10_000)
        run(s, out, from: 0, to: 9_984)
        #expect(out.events.isEmpty)
        #expect(s.queuedEvents == 1)
        run(s, out, from: 9_984, to: 10_112)
        #expect(s.queuedEvents == 0)
        #expect(out.events.map(\.frame) == [10_000])
    }

    @Test func laterEventQueuedFirstDoesNotHoldBackAnEarlierOne() {
        let s = MIDIOutputScheduler(capacity: 8)
        let out = MIDICaptureBuffer(capacity: 8)
        s.schedule(off(60), at: 2_000) // a note-off far ahead, queued first
        s.schedule(on(62), at: 300)    // then an answer due sooner
        run(s, out, from: 256, to: 384)
        #expect(out.events.map(\.frame) == [300])
        #expect(s.stats.late == 0)
    }

    @Test func lateEventsGoAtOffsetZeroAndAreCounted() {
        let s = MIDIOutputScheduler()
        let out = MIDICaptureBuffer(capacity: 8)
        s.schedule(MIDIBytes(0xB0, 1, 1), at: 100)
        s.schedule(MIDIBytes(0xB0, 2, 2), at: 1000)
        run(s, out, from: 1024, to: 1152)
        #expect(out.events.map(\.offset) == [0, 0])
        let st = s.stats
        #expect(st.late == 2)
        #expect(st.lateMaxFrames == 924)
        #expect(st.lateSumFrames == 924 + 24)
    }

    @Test func slightDisorderIsSorted() {
        let s = MIDIOutputScheduler()
        let out = MIDICaptureBuffer(capacity: 8)
        s.schedule(MIDIBytes(0xB0, 1, 1), at: 100)
        s.schedule(MIDIBytes(0xB0, 2, 2), at: 50)
        s.schedule(MIDIBytes(0xB0, 3, 3), at: 50)
        run(s, out, from: 0, to: 128)
        #expect(out.events.map(\.frame) == [50, 50, 100])
        #expect(out.events.map(\.bytes.data1) == [2, 3, 1], "equal frames keep producer order")
    }

    @Test func repeatedNoteOnRetriggersAndStrayNoteOffIsSuppressed() {
        let s = MIDIOutputScheduler()
        let out = MIDICaptureBuffer(capacity: 16)
        s.schedule(on(60), at: 10)
        s.schedule(on(60), at: 20)
        s.schedule(off(60), at: 30)
        s.schedule(off(60), at: 40)
        run(s, out, from: 0, to: 128)
        #expect(out.events.map(\.frame) == [10, 20, 20, 30])
        #expect(out.events.map(\.bytes) == [on(60), off(60), on(60), off(60)])
        #expect(s.stats.retriggered == 1)
        #expect(s.stats.suppressedNoteOffs == 1)
        #expect(s.soundingNotes == 0)
    }

    @Test func flushEndsEverySoundingNoteAndDropsStaleEvents() {
        let s = MIDIOutputScheduler()
        let out = MIDICaptureBuffer(capacity: 64)
        s.schedule(on(60, ch: 0), at: 10)
        s.schedule(on(64, ch: 1), at: 11)
        s.schedule(off(60, ch: 0), at: 20_000)
        s.schedule(off(64, ch: 1), at: 20_000)
        s.schedule(on(67, ch: 0), at: 30_000)
        run(s, out, from: 0, to: 128)
        #expect(s.soundingNotes == 2)
        out.removeAll()

        let g = s.flush()
        s.schedule(ScheduledMIDI(frame: 300, generation: g, bytes: on(72, ch: 2)))
        run(s, out, from: 256, to: 40_000)
        let e = out.events
        // Note-offs for both sounding notes, then CC123 on the channels used, at the flush
        // cycle's offset 0; the fresh event is not blocked by stale ones queued ahead of it.
        #expect(e.map(\.frame) == [256, 256, 256, 256, 300])
        #expect(e.map(\.bytes) == [off(60, ch: 0), off(64, ch: 1), .allNotesOff(channel: 0),
                                   .allNotesOff(channel: 1), on(72, ch: 2)])
        #expect(s.stats.flushed == 3)
        #expect(s.stats.flushMessages == 4)
        #expect(s.soundingNotes == 1)
    }

    @Test func panicSilencesAllChannels() {
        let s = MIDIOutputScheduler()
        let out = MIDICaptureBuffer(capacity: 64)
        s.schedule(on(60, ch: 9), at: 5)
        run(s, out, from: 0, to: 128)
        out.removeAll()
        s.panic()
        run(s, out, from: 128, to: 256)
        #expect(out.events.first?.bytes == off(60, ch: 9))
        #expect(out.events.dropFirst().map(\.bytes) == (0..<16).map { MIDIBytes.allNotesOff(channel: $0) })
        #expect(s.soundingNotes == 0)
    }

    @Test func fullOutputDefersInsteadOfLosing() {
        let s = MIDIOutputScheduler()
        let out = MIDICaptureBuffer(capacity: 2)
        s.schedule(on(60), at: 0)
        s.schedule(on(61), at: 1)
        s.schedule(off(60), at: 2)
        run(s, out, from: 0, to: 128)
        #expect(out.events.count == 2)
        #expect(s.stats.deferred == 1)
        out.removeAll()
        run(s, out, from: 128, to: 256)
        #expect(out.events.map(\.bytes) == [off(60)], "the note-off was carried over, not lost")
        #expect(out.events.map(\.frame) == [128])
        #expect(s.stats.late == 1)
        #expect(s.soundingNotes == 1)
    }

    @Test func fullRingRefusesAndCountsDrops() {
        let s = MIDIOutputScheduler(capacity: 2)
        #expect(s.schedule(on(1), at: 0))
        #expect(s.schedule(on(2), at: 0))
        #expect(!s.schedule(on(3), at: 0))
        #expect(s.stats.dropped == 1)
    }
}
