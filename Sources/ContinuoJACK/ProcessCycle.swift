import ContinuoMIDI
import CJack
import Synchronization

/// The object JACK's process callback drives.
///
/// **Thread:** `process` runs on JACK's real-time process thread (SCHED_FIFO when the server is
/// real-time), once per period. **Must be real-time safe:** no allocation (no growing arrays,
/// no `String`, no class instances, no boxed existentials, no escaping closures), no locks, no
/// logging, no system calls, nothing unbounded. Communicate with other threads through
/// `SPSCRing` and `Atomic` only.
///
/// `AnyObject` so that it can be held as a plain class reference (no existential box) and
/// called without retain/release.
public protocol RealtimeProcessor: AnyObject {
    /// - Parameters:
    ///   - frames: frames in this period (`nframes`).
    ///   - cycle: this period's ports and timing. `~Copyable` and passed `borrowing`, so it
    ///     cannot be stored and used after the callback returns (its buffers would be stale).
    func process(frames: Int, cycle: borrowing ProcessCycle)
}

/// One JACK period, as seen from inside the process callback. Real-time safe throughout.
public struct ProcessCycle: ~Copyable {
    /// Absolute frame of this period's first frame: `jack_last_frame_time`, extended to 64 bits
    /// so it never wraps (the raw 32-bit counter wraps after ~24.8 h at 48 kHz).
    public let firstFrame: Int64
    /// Frames in this period.
    public let frames: Int
    /// `ClientContext.rtCounters`: a raw pointer, not the context, so no retain/release.
    let counters: UnsafeMutablePointer<Atomic<Int>>

    @_noAllocation @_noLocks
    init(firstFrame: Int64, frames: Int, counters: UnsafeMutablePointer<Atomic<Int>>) {
        self.firstFrame = firstFrame
        self.frames = frames
        self.counters = counters
    }

    /// Frame just past this period (`firstFrame + frames`).
    public var endFrame: Int64 { firstFrame &+ Int64(frames) }

    /// The events on `port` in this period, as an iterator:
    /// `var events = cycle.events(in: port); while let (offset, bytes) = events.next() { … }`.
    @_noAllocation @_noLocks
    public func events(in port: MIDIInputPort) -> MIDIInputEvents {
        let handle = port.handle
        let nframes = UInt32(truncatingIfNeeded: frames)
        // JACK's MIDI calls are documented RT-safe (they only touch the shared port buffer);
        // `_unsafePerformance` tells @_noAllocation that this vetted C code is fine.
        let buffer = _unsafePerformance { jack_port_get_buffer(handle, nframes) }
        var count: UInt32 = 0
        if let buffer { count = _unsafePerformance { jack_midi_get_event_count(buffer) } }
        return MIDIInputEvents(buffer: buffer, count: count, counters: counters)
    }

    /// Calls `body(offset, bytes)` for each event on `port` in this period, in time order.
    /// Real-time safe as long as `body` is: it is non-escaping (no closure allocation).
    ///
    /// Not annotated `@_noAllocation`, unlike the rest of this file: the attribute would also
    /// check the caller's closure, and in debug builds it rejects ordinary generic calls there
    /// (e.g. `SPSCRing.push`). Use `events(in:)` for a compiler-checked loop.
    @inline(__always)
    public func forEachEvent(in port: MIDIInputPort, _ body: (_ offset: Int, _ bytes: MIDIBytes) -> Void) {
        var events = events(in: port)
        while let (offset, bytes) = events.next() { body(offset, bytes) }
    }

    /// The writer for `port` in this period. The buffer was already cleared at cycle start, so
    /// anything written is exactly this period's output. Valid only during this callback.
    @_noAllocation @_noLocks
    public func writer(for port: MIDIOutputPort) -> MIDIOutputWriter {
        let handle = port.handle
        let nframes = UInt32(truncatingIfNeeded: frames)
        let buffer = _unsafePerformance { jack_port_get_buffer(handle, nframes) }
        // If something was already written this cycle (a second writer for the same port),
        // continue after its last event so the order rule still holds.
        var last = 0
        if let buffer {
            let n = _unsafePerformance { jack_midi_get_event_count(buffer) }
            if n > 0 {
                var event = jack_midi_event_t()
                if _unsafePerformance({ jack_midi_event_get(&event, buffer, n - 1) }) == 0 {
                    last = Int(event.time)
                }
            }
        }
        return MIDIOutputWriter(buffer: buffer, frames: frames, lastOffset: last, counters: counters)
    }
}

/// Iterates one MIDI input port's events for the current period. Real-time safe.
///
/// Events with 1…3 bytes are copied into `MIDIBytes`; empty events and SysEx longer than 3
/// bytes are skipped and counted in `JackClient.skippedInputEvents`. Never keep it past the
/// callback.
public struct MIDIInputEvents: ~Copyable {
    let buffer: UnsafeMutableRawPointer?
    let count: UInt32
    var index: UInt32 = 0
    let counters: UnsafeMutablePointer<Atomic<Int>>

    init(buffer: UnsafeMutableRawPointer?, count: UInt32, counters: UnsafeMutablePointer<Atomic<Int>>) {
        self.buffer = buffer
        self.count = count
        self.counters = counters
    }

    /// Events in the port buffer (including any that `next` will skip).
    public var eventCount: Int { Int(count) }

    /// The next event (offset within the period, bytes), or nil at the end.
    @_noAllocation @_noLocks
    public mutating func next() -> (offset: Int, bytes: MIDIBytes)? {
        guard let buffer else { return nil }
        var event = jack_midi_event_t()
        while index < count {
            let i = index
            index &+= 1
            let ok = _unsafePerformance { jack_midi_event_get(&event, buffer, i) } == 0
            guard ok, let data = event.buffer, event.size >= 1, event.size <= 3 else {
                counters[inputSkippedIndex].wrappingAdd(1, ordering: .relaxed)
                continue
            }
            let bytes = MIDIBytes(status: data[0],
                                  data1: event.size > 1 ? data[1] : 0,
                                  data2: event.size > 2 ? data[2] : 0,
                                  count: UInt8(truncatingIfNeeded: event.size))
            return (Int(event.time), bytes)
        }
        return nil
    }
}

/// Writes MIDI into one output port's buffer for the current period. Real-time safe.
///
/// Obtain it from `ProcessCycle.writer(for:)`; never keep it past the callback.
/// Refusals are counted in `JackClient.droppedOutputEvents`.
///
/// It can also write into a `MIDICaptureBuffer` (tests, offline rendering) — a second backend
/// inside this one concrete type rather than a protocol, because `@_noAllocation` rejects the
/// witness-table calls a generic sink would need in debug builds.
public struct MIDIOutputWriter: ~Copyable {
    /// JACK port buffer, or nil when writing to a capture buffer.
    let buffer: UnsafeMutableRawPointer?
    let capture: UnsafeMutablePointer<CapturedMIDI>?
    let captureCount: UnsafeMutablePointer<Int>?
    let captureCapacity: Int
    let captureBase: Int64
    /// Frames in the current period: valid offsets are `0..<frames`.
    public let frames: Int
    /// Offset of the latest accepted event; JACK requires nondecreasing times.
    public private(set) var lastOffset: Int
    let counters: UnsafeMutablePointer<Atomic<Int>>

    init(buffer: UnsafeMutableRawPointer?, frames: Int, lastOffset: Int,
         counters: UnsafeMutablePointer<Atomic<Int>>) {
        self.buffer = buffer
        self.capture = nil
        self.captureCount = nil
        self.captureCapacity = 0
        self.captureBase = 0
        self.frames = frames
        self.lastOffset = lastOffset
        self.counters = counters
    }

    init(capture: UnsafeMutablePointer<CapturedMIDI>, count: UnsafeMutablePointer<Int>, capacity: Int,
         cycleStart: Int64, frames: Int, counters: UnsafeMutablePointer<Atomic<Int>>) {
        self.buffer = nil
        self.capture = capture
        self.captureCount = count
        self.captureCapacity = capacity
        self.captureBase = cycleStart
        self.frames = frames
        self.lastOffset = 0
        self.counters = counters
    }

    /// Writes `bytes` (its first `count` bytes) at `offset` within the period.
    /// Returns false, counting a drop, if `offset` is outside `0..<frames`, earlier than the
    /// previous event, or the port buffer is full (JACK's ENOBUFS).
    @_noAllocation @_noLocks
    public mutating func write(offset: Int, bytes: MIDIBytes) -> Bool {
        guard offset >= 0, offset < frames, offset >= lastOffset, bytes.count >= 1, bytes.count <= 3 else {
            counters[outputDropsIndex].wrappingAdd(1, ordering: .relaxed)
            return false
        }
        guard let buffer else { return writeCapture(offset: offset, bytes: bytes) }
        let size = Int(bytes.count)
        let time = UInt32(truncatingIfNeeded: offset)
        // jack_midi_event_reserve: in-place, no temporary byte array.
        guard let dst = _unsafePerformance({ jack_midi_event_reserve(buffer, time, size) }) else {
            counters[outputDropsIndex].wrappingAdd(1, ordering: .relaxed)
            return false
        }
        dst[0] = bytes.status
        if size > 1 { dst[1] = bytes.data1 }
        if size > 2 { dst[2] = bytes.data2 }
        lastOffset = offset
        return true
    }

    @_noAllocation @_noLocks
    mutating func writeCapture(offset: Int, bytes: MIDIBytes) -> Bool {
        guard let capture, let captureCount, captureCount.pointee < captureCapacity else {
            counters[outputDropsIndex].wrappingAdd(1, ordering: .relaxed)
            return false
        }
        capture[captureCount.pointee] = CapturedMIDI(frame: captureBase &+ Int64(offset), offset: offset, bytes: bytes)
        captureCount.pointee &+= 1
        lastOffset = offset
        return true
    }
}

// Literal copies of `RTCounter` raw values: an enum's rawValue lives in another file, which
// debug (non-WMO) builds cannot see when checking @_noAllocation here.
@usableFromInline let inputSkippedIndex = 1
@usableFromInline let outputDropsIndex = 0
