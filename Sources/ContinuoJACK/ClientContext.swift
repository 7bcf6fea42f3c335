import CJack
import Synchronization

/// State shared between the owning `JackClient` (non-RT thread), JACK's notification thread and
/// JACK's real-time process thread. It is handed to every C callback as `void *arg`.
///
/// Why a separate object: JACK's callbacks outlive any Swift call frame, so they need a stable
/// heap address that stays alive until `jack_client_close` returns. `JackClient` retains it
/// with `Unmanaged.passRetained` for exactly that span. Everything the RT thread reads is either
/// immutable after init, an `Atomic`, or written only before `jack_activate` / after
/// `jack_deactivate` (both block on the server, which orders them against the process thread).
final class ClientContext: @unchecked Sendable {
    /// Maximum number of MIDI output ports: the RT thread clears them from a fixed table.
    static let maxOutputPorts = 16

    let client: OpaquePointer

    // -- Real-time: read by the process trampoline --------------------------------------------

    /// Set before `jack_activate`, cleared after `jack_deactivate`. `Unmanaged` (the slot is
    /// retained by `JackClient.processorSlot`) so the RT thread borrows it without retain/release:
    /// `@_noLocks` rejected both a strong and an `unowned(unsafe)` existential property here.
    var processor: Unmanaged<ProcessorSlot>?

    /// Output ports to clear at the start of each cycle. Slot written then `outputCount`
    /// published with `.releasing`; the RT thread reads the count `.acquiring`.
    let outputPorts: UnsafeMutablePointer<OpaquePointer?>
    let outputCount = Atomic<Int>(0)

    /// Last raw 32-bit `jack_last_frame_time` seen by the RT thread (RT-only after activation;
    /// seeded from `jack_frame_time` in `init`, before any cycle can run).
    var lastRawFrame: UInt32
    /// 64-bit extension of the frame clock at the start of the latest cycle. Invariant:
    /// `UInt32(truncatingIfNeeded: absoluteCycleStart) == lastRawFrame`, which lets the non-RT
    /// side extend any nearby raw frame time without a lock.
    let absoluteCycleStart = Atomic<Int64>(0)
    let cycleCount = Atomic<Int>(0)

    // -- Counters and flags readable from any thread ------------------------------------------

    let sampleRate = Atomic<Int>(0)
    let bufferSize = Atomic<Int>(0)
    let xrunCount = Atomic<Int>(0)
    let serverGone = Atomic<Bool>(false)
    /// Extra latency (frames) the owner says this client adds between input and output.
    let outputLatency = Atomic<Int>(0)
    /// Counters bumped from value types on the RT thread (`ProcessCycle`, `MIDIOutputWriter`).
    /// They sit in their own allocation so those structs can hold a raw pointer instead of a
    /// class reference — copying a class reference costs retain/release, which `@_noLocks`
    /// (rightly) rejects. See `RTCounter`.
    let rtCounters: UnsafeMutablePointer<Atomic<Int>>

    /// Optional owner callback for non-RT notifications. Guarded by a Mutex: it is only ever
    /// touched on non-RT threads, where locking is fine.
    let notificationHandler = Mutex<(@Sendable (JackNotification) -> Void)?>(nil)

    // Ports for the latency callback (non-RT); guarded because registration races with it.
    let latencyPorts = Mutex<(inputs: [OpaquePointer], outputs: [OpaquePointer])>(([], []))

    init(client: OpaquePointer) {
        self.client = client
        lastRawFrame = jack_frame_time(client)
        absoluteCycleStart.store(Int64(lastRawFrame), ordering: .releasing)
        outputPorts = .allocate(capacity: Self.maxOutputPorts)
        outputPorts.initialize(repeating: nil, count: Self.maxOutputPorts)
        rtCounters = .allocate(capacity: RTCounter.count)
        for i in 0..<RTCounter.count { (rtCounters + i).initialize(to: Atomic(0)) }
    }

    deinit {
        outputPorts.deallocate()
        rtCounters.deinitialize(count: RTCounter.count)
        rtCounters.deallocate()
    }

    func counter(_ c: RTCounter) -> Int { rtCounters[c.rawValue].load(ordering: .relaxed) }

    /// Extends the RT thread's 32-bit frame counter to 64 bits. RT thread only.
    @inline(__always)
    @_noAllocation @_noLocks
    func advanceFrameClock(raw: UInt32) -> Int64 {
        // Unsigned wrapping difference: correct across the 2^32 wrap (~24.8 h at 48 kHz).
        let delta = raw &- lastRawFrame
        lastRawFrame = raw
        let abs = absoluteCycleStart.load(ordering: .relaxed) &+ Int64(delta)
        absoluteCycleStart.store(abs, ordering: .releasing)
        return abs
    }

    /// Extends a raw frame time read on any thread, relative to the latest cycle start.
    /// Valid within ±2^31 frames (~12 h) of that cycle.
    func extend(raw: UInt32) -> Int64 {
        let base = absoluteCycleStart.load(ordering: .acquiring)
        let delta = Int32(bitPattern: raw &- UInt32(truncatingIfNeeded: base))
        return base &+ Int64(delta)
    }

    func notify(_ n: JackNotification) {
        let handler = notificationHandler.withLock { $0 }
        handler?(n)
    }
}

/// Indices into `ClientContext.rtCounters`.
enum RTCounter: Int {
    /// MIDI writes refused: out of range, out of order, or port buffer full.
    case outputDrops = 0
    /// MIDI input events skipped: empty or longer than 3 bytes (SysEx).
    case inputSkipped = 1
    static let count = 2
}

/// How the RT thread reaches the owner's processor without existentials or reference counting.
///
/// `@_noLocks` rejects calling through `any RealtimeProcessor` (opening the existential may touch
/// metadata) and any retain/release. So `activate` wraps the concrete processor type in
/// `TypedProcessorSlot<P>`; the RT thread makes one vtable call on a borrowed `Unmanaged` slot,
/// and the slot makes one witness call on a borrowed `Unmanaged<P>`. No allocation, no RC.
class ProcessorSlot {
    func run(frames: Int, cycle: borrowing ProcessCycle) {}
}

final class TypedProcessorSlot<P: RealtimeProcessor>: ProcessorSlot {
    /// Keeps the processor alive while the RT thread uses `borrowed`.
    let processor: P
    let borrowed: Unmanaged<P>

    init(_ processor: P) {
        self.processor = processor
        self.borrowed = Unmanaged.passUnretained(processor)
    }

    override func run(frames: Int, cycle: borrowing ProcessCycle) {
        borrowed._withUnsafeGuaranteedRef { $0.process(frames: frames, cycle: cycle) }
    }
}

/// Events delivered to `JackClient.setNotificationHandler`, always on a non-RT thread.
public enum JackNotification: Sendable, Equatable {
    case sampleRateChanged(Int)
    case bufferSizeChanged(Int)
    case xrun(total: Int)
}
