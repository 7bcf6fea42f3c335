import ContinuoMIDI
import Synchronization

/// One message captured by a `MIDICaptureBuffer`.
public struct CapturedMIDI: BitwiseCopyable, Sendable, Equatable {
    /// Absolute frame: the cycle start passed to `writer` plus `offset`.
    public var frame: Int64
    public var offset: Int
    public var bytes: MIDIBytes

    @_noAllocation @_noLocks  // written from MIDIOutputWriter's checked path in another file
    public init(frame: Int64, offset: Int, bytes: MIDIBytes) {
        self.frame = frame
        self.offset = offset
        self.bytes = bytes
    }
}

/// A preallocated stand-in for a JACK MIDI output buffer, so `MIDIOutputScheduler` (or any
/// code using `MIDIOutputWriter`) can be driven without a server: in unit tests, and for offline
/// rendering. Not thread-safe; one cycle at a time.
public final class MIDICaptureBuffer {
    let storage: UnsafeMutablePointer<CapturedMIDI>
    let countPointer: UnsafeMutablePointer<Int>
    public let capacity: Int
    /// Refusals by writers into this buffer (full, out of order, out of range).
    let counters: UnsafeMutablePointer<Atomic<Int>>

    /// - Parameter capacity: events it can hold before writes are refused (like a full port).
    public init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(capacity: max(1, capacity))
        countPointer = .allocate(capacity: 1)
        countPointer.initialize(to: 0)
        counters = .allocate(capacity: 2)
        counters.initialize(to: Atomic(0))
        (counters + 1).initialize(to: Atomic(0))
    }

    deinit {
        storage.deallocate()
        countPointer.deallocate()
        counters.deinitialize(count: 2)
        counters.deallocate()
    }

    /// A writer for one cycle starting at absolute frame `cycleStart`. Keep the buffer alive
    /// while using it. Events keep accumulating across cycles until `removeAll()`.
    public func writer(cycleStart: Int64, frames: Int) -> MIDIOutputWriter {
        MIDIOutputWriter(capture: storage, count: countPointer, capacity: capacity,
                         cycleStart: cycleStart, frames: frames, counters: counters)
    }

    /// Events captured since the last `removeAll()`; with `subscript`, read without copying
    /// (a sequencer thread forwards them each cycle and must not allocate).
    public var count: Int { countPointer.pointee }
    public subscript(index: Int) -> CapturedMIDI { storage[index] }

    public var events: [CapturedMIDI] { Array(UnsafeBufferPointer(start: storage, count: countPointer.pointee)) }
    public var refusedWrites: Int { counters[0].load(ordering: .relaxed) }
    public func removeAll() { countPointer.pointee = 0 }
}
