import ContinuoMIDI
import Synchronization

/// A lock-free, wait-free ring for exactly one producer thread and one consumer thread.
///
/// Storage is allocated once in `init`; `push`/`pop` never allocate, lock or make system calls,
/// so either end may run on the JACK real-time thread. `push` returns false when full: the
/// caller counts a drop and carries on — a real-time thread must never wait for the other side.
///
/// Indices are free-running `Int`s (they would take ~10^11 years to overflow at 48 kHz event
/// rates); `index & mask` picks the slot. The producer publishes `tail` with `.releasing` after
/// writing the slot and the consumer reads it with `.acquiring` before reading the slot, and the
/// reverse for `head`: this pairing is the whole memory-ordering argument.
///
/// `head` and `tail` live 128 bytes apart in their own allocation so the two cores do not
/// false-share a cache line on every operation.
///
/// Contract (not checked, because checking would cost an atomic RMW per call): at any moment at
/// most one thread calls the producer methods (`push`) and at most one thread calls the consumer
/// methods (`pop`, `peek`, `popAll`). `count`, `isEmpty` and `capacity` may be read anywhere and
/// are approximate while the other side runs.
public final class SPSCRing<Element: BitwiseCopyable>: @unchecked Sendable {
    /// Number of slots; a power of two.
    public let capacity: Int
    @usableFromInline let mask: Int
    @usableFromInline let slots: UnsafeMutablePointer<Element>
    /// [0] = head (next slot to read, written by the consumer), [stride] = tail (next slot to
    /// write, written by the producer).
    @usableFromInline let indices: UnsafeMutablePointer<Atomic<Int>>
    @usableFromInline static var stride: Int { 16 }  // 16 * 8 bytes = 128 bytes apart

    /// - Parameter capacity: rounded up to a power of two (at least 2).
    public init(capacity: Int) {
        precondition(capacity > 0, "SPSCRing capacity must be positive")
        var c = 2
        while c < capacity { c <<= 1 }
        self.capacity = c
        self.mask = c - 1
        self.slots = .allocate(capacity: c)
        self.indices = .allocate(capacity: Self.stride + 1)
        (indices).initialize(to: Atomic(0))
        (indices + Self.stride).initialize(to: Atomic(0))
    }

    deinit {
        // Element is BitwiseCopyable: slots need no deinitialisation.
        slots.deallocate()
        (indices).deinitialize(count: 1)
        (indices + Self.stride).deinitialize(count: 1)
        indices.deallocate()
    }

    @inlinable var head: UnsafeMutablePointer<Atomic<Int>> { indices }
    @inlinable var tail: UnsafeMutablePointer<Atomic<Int>> { indices + Self.stride }

    // MARK: Producer

    /// Appends `element`; returns false (and changes nothing) when the ring is full.
    /// Producer thread only. Real-time safe.
    // No @_noAllocation here: the attribute rejects unspecialised generic code outright.
    // Annotated callers (e.g. MIDIOutputScheduler.render) check the specialised body instead.
    @inlinable @inline(__always)
    public func push(_ element: Element) -> Bool {
        let t = tail.pointee.load(ordering: .relaxed)            // only we write tail
        let h = head.pointee.load(ordering: .acquiring)          // slot freed by the consumer?
        if t &- h >= capacity { return false }
        (slots + (t & mask)).initialize(to: element)
        tail.pointee.store(t &+ 1, ordering: .releasing)         // publish the slot
        return true
    }

    // MARK: Consumer

    /// Removes and returns the oldest element, or nil when empty. Consumer thread only.
    /// Real-time safe.
    @inlinable @inline(__always)
    public func pop() -> Element? {
        let h = head.pointee.load(ordering: .relaxed)            // only we write head
        let t = tail.pointee.load(ordering: .acquiring)          // see the producer's write
        if h == t { return nil }
        let e = slots[h & mask]
        head.pointee.store(h &+ 1, ordering: .releasing)         // hand the slot back
        return e
    }

    /// The oldest element without removing it, or nil when empty. Consumer thread only.
    @inlinable @inline(__always)
    public func peek() -> Element? {
        let h = head.pointee.load(ordering: .relaxed)
        let t = tail.pointee.load(ordering: .acquiring)
        if h == t { return nil }
        return slots[h & mask]
    }

    // MARK: Either side

    /// Elements currently stored (a snapshot; exact when called by one side while the other
    /// side is idle).
    @inlinable
    public var count: Int {
        let h = head.pointee.load(ordering: .acquiring)
        let t = tail.pointee.load(ordering: .acquiring)
        return Swift.max(0, t &- h)
    }

    @inlinable public var isEmpty: Bool { count == 0 }
}

// MARK: - Checked entry points for the real-time scheduler

/// Non-generic (concretely constrained) copies of `pop`/`peek` for the element type the
/// scheduler moves across the RT boundary.
///
/// Why they exist: `@_noAllocation` cannot annotate the generic methods (it rejects unspecialised
/// generic code), and in debug builds (compiled file by file) an annotated caller in another
/// file cannot see an unannotated callee's body, so it reports "called function is not
/// available". Annotated wrappers here are checked against the specialised body, and annotated
/// callers elsewhere trust them.
extension SPSCRing where Element == ScheduledMIDI {
    @_noAllocation @_noLocks
    func rtPop() -> ScheduledMIDI? { pop() }

    @_noAllocation @_noLocks
    func rtPeek() -> ScheduledMIDI? { peek() }
}

/// A MIDI message with the absolute frame it arrived at: what an input callback hands a worker.
public struct TimedMIDI: BitwiseCopyable, Sendable, Equatable {
    public var frame: Int64
    public var bytes: MIDIBytes

    @_noAllocation @_noLocks
    public init(frame: Int64, bytes: MIDIBytes) {
        self.frame = frame
        self.bytes = bytes
    }
}

extension SPSCRing where Element == TimedMIDI {
    /// `push` for an input callback's checked path (same reason as `rtPop` above).
    @_noAllocation @_noLocks
    public func rtPush(_ element: TimedMIDI) -> Bool { push(element) }
}
