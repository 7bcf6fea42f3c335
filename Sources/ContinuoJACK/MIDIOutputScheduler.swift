import Synchronization

/// One MIDI message to be played at an absolute frame (the 64-bit timeline of
/// `ProcessCycle.firstFrame` / `JackClient.absoluteFrameTime`).
public struct ScheduledMIDI: BitwiseCopyable, Sendable, Equatable {
    public var frame: Int64
    /// The scheduler's generation this event belongs to; events older than the scheduler's
    /// current generation are discarded (barge-in / flush of speculative output).
    public var generation: UInt32
    public var bytes: MIDIBytes

    public init(frame: Int64, generation: UInt32, bytes: MIDIBytes) {
        self.frame = frame
        self.generation = generation
        self.bytes = bytes
    }
}

/// Counters of a `MIDIOutputScheduler`, read with relaxed atomic loads (each is exact; the set
/// is not a single snapshot).
public struct SchedulerStats: Sendable, Equatable {
    /// Messages written to the output (including note-offs and CC123 sent by flush/panic).
    public var written: Int
    /// Events refused by `schedule` because the ring was full.
    public var dropped: Int
    /// Events written after their frame (at offset 0); their lateness is summarised below.
    public var late: Int
    public var lateMaxFrames: Int
    public var lateSumFrames: Int
    /// Scheduled events discarded because their generation was stale.
    public var flushed: Int
    /// Note-offs and All-Notes-Off messages emitted by flushes and panics.
    public var flushMessages: Int
    /// Note-ons for a pitch that was still sounding, preceded by an automatic note-off.
    public var retriggered: Int
    /// Note-offs not sent because the note was not sounding (already ended by a retrigger,
    /// flush or panic) — sending them could cut a newer note short.
    public var suppressedNoteOffs: Int
    /// Times an event could not be written (port buffer full or refused) and was carried to the
    /// next cycle instead of being lost.
    public var deferred: Int
}

/// Plays time-stamped MIDI from a non-RT producer into a JACK output, sample-accurately, and
/// guarantees that every note-on it emits is matched by a note-off, whatever happens.
///
/// **Producer side** (one non-RT thread): `schedule(_:)`, `flush()`, `panic()`. Events go through
/// a preallocated `SPSCRing`; a full ring refuses (counted in `dropped`), never blocks.
///
/// **Real-time side** (JACK's process thread, once per cycle): `render(_:to:)` or
/// `render(into:cycleStart:)`. Nothing allocates: the ring, the pending array and the
/// 16×128 sounding-note bitmap are allocated in `init`.
///
/// Per cycle `[cycleStart, cycleStart + frames)`:
/// 1. A generation change since the last cycle (a `flush()`), or a `panic()`, starts a flush:
///    note-offs for every note this scheduler turned on and that still sounds, then CC123 (All
///    Notes Off) on each channel it used (`panic`: all 16 channels), all at offset 0, before
///    anything else this cycle. Stale events in the ring and pending array are discarded (they
///    may include note-offs — harmless, since the flush ended those notes).
/// 2. Events due before the cycle end are popped (a stale-generation event at the head is
///    discarded even if it is far in the future, so it cannot block fresh events behind it;
///    a future event at the head stops the pop: the producer sends nondecreasing frames). Popped
///    events are insertion-sorted (stable) into a small fixed array, which absorbs slight
///    producer disorder.
/// 3. Each due event is written at `max(0, frame - cycleStart)`; events before `cycleStart` are
///    late (offset 0, counted with their lateness).
///
/// Note tracking policy: a note-on for a pitch this scheduler already has sounding on that
/// channel is *retriggered* — a note-off is written first at the same offset (so the
/// re-articulation is heard and the synth never stacks two voices we could not both end). A
/// note-off for a pitch that is not sounding is suppressed (it would otherwise cut the
/// retriggered note's successor short, or is redundant after a flush). If the output buffer is
/// full, the remaining events (note-offs included) wait for the next cycle instead of being lost.
public final class MIDIOutputScheduler: @unchecked Sendable {
    let ring: SPSCRing<ScheduledMIDI>
    /// The same ring, borrowed on the RT thread without retain/release (loading the `ring`
    /// property would retain it in debug builds, which @_noLocks rejects). `ring` keeps it alive.
    let ringRef: Unmanaged<SPSCRing<ScheduledMIDI>>

    // Shared with the producer.
    let generationCounter = Atomic<UInt32>(0)
    let panicRequested = Atomic<Bool>(false)
    let soundingPublished = Atomic<Int>(0)
    /// Events taken from the ring but not yet written (future ones wait here), as of the last cycle.
    let pendingPublished = Atomic<Int>(0)

    // Statistics (written by one side each, read anywhere).
    let writtenCount = Atomic<Int>(0)
    let droppedCount = Atomic<Int>(0)
    let lateCount = Atomic<Int>(0)
    let lateMax = Atomic<Int>(0)
    let lateSum = Atomic<Int>(0)
    let flushedCount = Atomic<Int>(0)
    let flushMessageCount = Atomic<Int>(0)
    let retriggerCount = Atomic<Int>(0)
    let suppressedCount = Atomic<Int>(0)
    let deferredCount = Atomic<Int>(0)

    // Real-time thread only (after construction).
    let pending: UnsafeMutablePointer<ScheduledMIDI>
    let pendingCapacity: Int
    var pendingCount = 0
    /// 16 channels × 128 pitches = 2048 bits = 32 words; word = channel * 2 + pitch >> 6.
    let sounding: UnsafeMutablePointer<UInt64>
    var soundingTotal = 0
    /// Channels with a note-on since the last flush: where CC123 goes.
    var channelsUsed: UInt16 = 0
    var seenGeneration: UInt32 = 0
    var flushing = false
    /// Channels still owed a CC123 by the flush in progress.
    var allNotesOffPending: UInt16 = 0
    var lateMaxLocal = 0

    /// - Parameters:
    ///   - capacity: ring slots (rounded up to a power of two): how far ahead the producer may
    ///     schedule, in events.
    ///   - pendingCapacity: events handled per cycle (more wait for the next cycle, late).
    public init(capacity: Int = 4096, pendingCapacity: Int = 2048) {
        ring = SPSCRing(capacity: capacity)
        ringRef = Unmanaged.passUnretained(ring)
        self.pendingCapacity = max(1, pendingCapacity)
        pending = .allocate(capacity: self.pendingCapacity)
        sounding = .allocate(capacity: 32)
        sounding.initialize(repeating: 0, count: 32)
    }

    deinit {
        pending.deallocate()
        sounding.deallocate()
    }

    // MARK: Producer side (non-RT, one thread)

    /// The generation new events should carry. Bumped by `flush()`.
    public var currentGeneration: UInt32 { generationCounter.load(ordering: .acquiring) }

    /// Queues `event`; false when the ring is full (counted in `stats.dropped`). Never blocks.
    /// Producer thread only. Frames should be nondecreasing.
    @discardableResult
    public func schedule(_ event: ScheduledMIDI) -> Bool {
        if ring.push(event) { return true }
        droppedCount.wrappingAdd(1, ordering: .relaxed)
        return false
    }

    /// Queues `bytes` at absolute `frame` in the current generation.
    @discardableResult
    public func schedule(_ bytes: MIDIBytes, at frame: Int64) -> Bool {
        schedule(ScheduledMIDI(frame: frame, generation: currentGeneration, bytes: bytes))
    }

    /// Cancels everything scheduled so far (barge-in): bumps the generation, so queued events
    /// become stale, and the next cycle ends every sounding note. Returns the new generation,
    /// which events scheduled from now on must carry. Any thread.
    @discardableResult
    public func flush() -> UInt32 {
        generationCounter.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
    }

    /// Ends every sounding note next cycle and sends CC123 on all 16 channels. Does not cancel
    /// queued events (use `flush()` for that). Any thread.
    public func panic() {
        panicRequested.store(true, ordering: .releasing)
    }

    public var stats: SchedulerStats {
        SchedulerStats(written: writtenCount.load(ordering: .relaxed),
                       dropped: droppedCount.load(ordering: .relaxed),
                       late: lateCount.load(ordering: .relaxed),
                       lateMaxFrames: lateMax.load(ordering: .relaxed),
                       lateSumFrames: lateSum.load(ordering: .relaxed),
                       flushed: flushedCount.load(ordering: .relaxed),
                       flushMessages: flushMessageCount.load(ordering: .relaxed),
                       retriggered: retriggerCount.load(ordering: .relaxed),
                       suppressedNoteOffs: suppressedCount.load(ordering: .relaxed),
                       deferred: deferredCount.load(ordering: .relaxed))
    }

    /// Notes this scheduler has turned on and not yet off, as of the end of the latest cycle.
    public var soundingNotes: Int { soundingPublished.load(ordering: .acquiring) }

    /// Events not yet written: in the ring, or waiting for their cycle (approximate while the
    /// real-time side runs).
    public var queuedEvents: Int { ring.count + pendingPublished.load(ordering: .acquiring) }

    // MARK: Real-time side

    /// Renders this cycle's due events into `port`. JACK process thread only. Real-time safe.
    @_noAllocation @_noLocks
    public func render(_ cycle: borrowing ProcessCycle, to port: MIDIOutputPort) {
        var writer = cycle.writer(for: port)
        render(into: &writer, cycleStart: cycle.firstFrame)
    }

    /// Renders the events due in `[cycleStart, cycleStart + writer.frames)`. Process thread
    /// only. Real-time safe (checked by @_noAllocation/@_noLocks on this specialisation).
    @_noAllocation @_noLocks
    public func render(into writer: inout MIDIOutputWriter, cycleStart: Int64) {
        renderCore(into: &writer, cycleStart: cycleStart, frames: writer.frames)
    }

    @inline(__always)
    func renderCore(into sink: inout MIDIOutputWriter, cycleStart: Int64, frames: Int) {
        let cycleEnd = cycleStart &+ Int64(frames)
        let generation = generationCounter.load(ordering: .acquiring)

        if generation != seenGeneration {
            seenGeneration = generation
            beginFlush(allChannels: false)
            discardStalePending(generation)
        }
        if panicRequested.exchange(false, ordering: .acquiringAndReleasing) {
            beginFlush(allChannels: true)
        }
        // A flush that did not fit in the buffer holds back new events: writing them now would
        // let the rest of the flush end notes that were just started.
        // (Nested `if`, not `&&`: the autoclosure would capture self and retain it.)
        if flushing {
            if !continueFlush(into: &sink) {
                finishCycle()
                return
            }
        }

        // Pull everything queued into the frame-ordered pending set, future events included:
        // the producer may queue a later note-off before an earlier answer (effect answers go
        // out a response delay ahead), and a future head must not hold back what is due now.
        // Stale heads are discarded so they cannot block fresh events behind them.
        while pendingCount < pendingCapacity, let head = ringRef._withUnsafeGuaranteedRef({ $0.rtPeek() }) {
            _ = ringRef._withUnsafeGuaranteedRef { $0.rtPop() }
            if isStale(head.generation, generation) {
                flushedCount.wrappingAdd(1, ordering: .relaxed)
                continue
            }
            insertPending(head)
        }

        // Write in frame order; stop at the first refusal and keep the rest for next cycle.
        var done = 0
        while done < pendingCount {
            let event = pending[done]
            if event.frame >= cycleEnd { break }
            let offset = event.frame > cycleStart ? Int(event.frame &- cycleStart) : 0
            if !emit(event.bytes, offset: offset, into: &sink) {
                deferredCount.wrappingAdd(1, ordering: .relaxed)
                break
            }
            if event.frame < cycleStart { recordLate(Int(cycleStart &- event.frame)) }
            done &+= 1
        }
        removePending(first: done)
        finishCycle()
    }

    // MARK: RT helpers

    @inline(__always)
    func isStale(_ eventGeneration: UInt32, _ current: UInt32) -> Bool {
        Int32(bitPattern: eventGeneration &- current) < 0  // wrap-safe "older than"
    }

    @inline(__always)
    func finishCycle() {
        soundingPublished.store(soundingTotal, ordering: .releasing)
        pendingPublished.store(pendingCount, ordering: .releasing)
    }

    @inline(__always)
    func beginFlush(allChannels: Bool) {
        flushing = true
        // Channels with notes still sounding always get CC123 too.
        var mask = channelsUsed
        var word = 0
        while word < 32 {
            if sounding[word] != 0 { mask |= UInt16(1) << UInt16(word >> 1) }
            word &+= 1
        }
        allNotesOffPending |= allChannels ? 0xFFFF : mask
    }

    @inline(__always)
    func discardStalePending(_ generation: UInt32) {
        var kept = 0
        var i = 0
        while i < pendingCount {
            let event = pending[i]
            if isStale(event.generation, generation) {
                flushedCount.wrappingAdd(1, ordering: .relaxed)
            } else {
                pending[kept] = event
                kept &+= 1
            }
            i &+= 1
        }
        pendingCount = kept
    }

    /// Writes the flush's note-offs and CC123s at offset 0. Returns true when complete; on a
    /// full buffer returns false with the remainder kept for the next cycle.
    @inline(__always)
    func continueFlush(into sink: inout MIDIOutputWriter) -> Bool {
        var word = 0
        while word < 32 {
            while sounding[word] != 0 {
                let bits = sounding[word]
                let bit = bits.trailingZeroBitCount
                let channel = UInt8(truncatingIfNeeded: word >> 1)
                let pitch = UInt8(truncatingIfNeeded: ((word & 1) << 6) | bit)
                let off = MIDIBytes(status: 0x80 | channel, data1: pitch, data2: 0, count: 3)
                guard sink.write(offset: 0, bytes: off) else { return false }
                sounding[word] = bits & ~(UInt64(1) << UInt64(bit))
                soundingTotal &-= 1
                writtenCount.wrappingAdd(1, ordering: .relaxed)
                flushMessageCount.wrappingAdd(1, ordering: .relaxed)
            }
            word &+= 1
        }
        while allNotesOffPending != 0 {
            let channel = UInt8(truncatingIfNeeded: allNotesOffPending.trailingZeroBitCount)
            let cc = MIDIBytes(status: 0xB0 | channel, data1: 123, data2: 0, count: 3)
            guard sink.write(offset: 0, bytes: cc) else { return false }
            allNotesOffPending &= ~(UInt16(1) << UInt16(channel))
            writtenCount.wrappingAdd(1, ordering: .relaxed)
            flushMessageCount.wrappingAdd(1, ordering: .relaxed)
        }
        flushing = false
        channelsUsed = 0
        return true
    }

    /// Writes one event, maintaining the sounding-note table. False: nothing consumed, retry.
    @inline(__always)
    func emit(_ bytes: MIDIBytes, offset: Int, into sink: inout MIDIOutputWriter) -> Bool {
        let kind = bytes.status & 0xF0
        let isVoice = bytes.count == 3 && bytes.status < 0xF0
        let channel = Int(bytes.status & 0x0F)
        let pitch = Int(bytes.data1 & 0x7F)
        let word = channel &* 2 &+ (pitch >> 6)
        let mask = UInt64(1) << UInt64(pitch & 63)

        if isVoice && kind == 0x90 && bytes.data2 != 0 {                        // note-on
            if sounding[word] & mask != 0 {
                let off = MIDIBytes(status: 0x80 | bytes.status & 0x0F, data1: bytes.data1 & 0x7F,
                                    data2: 0, count: 3)
                guard sink.write(offset: offset, bytes: off) else { return false }
                sounding[word] &= ~mask
                soundingTotal &-= 1
                writtenCount.wrappingAdd(1, ordering: .relaxed)
                retriggerCount.wrappingAdd(1, ordering: .relaxed)
            }
            guard sink.write(offset: offset, bytes: bytes) else { return false }
            sounding[word] |= mask
            soundingTotal &+= 1
            channelsUsed |= UInt16(1) << UInt16(channel)
        } else if isVoice && (kind == 0x80 || kind == 0x90) {                   // note-off
            if sounding[word] & mask == 0 {
                suppressedCount.wrappingAdd(1, ordering: .relaxed)
                return true
            }
            guard sink.write(offset: offset, bytes: bytes) else { return false }
            sounding[word] &= ~mask
            soundingTotal &-= 1
        } else {
            guard sink.write(offset: offset, bytes: bytes) else { return false }
        }
        writtenCount.wrappingAdd(1, ordering: .relaxed)
        return true
    }

    @inline(__always)
    func recordLate(_ frames: Int) {
        lateCount.wrappingAdd(1, ordering: .relaxed)
        lateSum.wrappingAdd(frames, ordering: .relaxed)
        if frames > lateMaxLocal {
            lateMaxLocal = frames
            lateMax.store(frames, ordering: .relaxed)  // single writer: no CAS needed
        }
    }

    /// Stable insertion by frame (equal frames keep producer order). The array is small and
    /// almost always already sorted, so this is O(1) per event in practice.
    @inline(__always)
    func insertPending(_ event: ScheduledMIDI) {
        var i = pendingCount
        while i > 0 {  // (no `&&`: its autoclosure would retain self)
            if pending[i &- 1].frame <= event.frame { break }
            pending[i] = pending[i &- 1]
            i &-= 1
        }
        pending[i] = event
        pendingCount &+= 1
    }

    @inline(__always)
    func removePending(first n: Int) {
        guard n > 0 else { return }
        let rest = pendingCount &- n
        var i = 0
        while i < rest {  // plain loop: the checker sees UnsafeMutablePointer.update as a possible deinit
            pending[i] = pending[i &+ n]
            i &+= 1
        }
        pendingCount = rest
    }
}
