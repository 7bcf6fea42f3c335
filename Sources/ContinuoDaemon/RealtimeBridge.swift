import ContinuoJACK
import ContinuoMIDI
import Synchronization

/// What runs inside the JACK process callback: copies input events, stamped with their frame,
/// into a lock-free ring for the worker, and writes the scheduler's due events at their exact
/// frames. It allocates, locks, logs and calls the system for nothing; a full ring drops and
/// counts instead of blocking.
final class RealtimeBridge: RealtimeProcessor, @unchecked Sendable {
    let input: MIDIInputPort
    let output: MIDIOutputPort
    let inputs = SPSCRing<TimedMIDI>(capacity: 4096)
    let scheduler: MIDIOutputScheduler
    /// The ring and the scheduler borrowed on the RT thread without retain/release (loading a
    /// class property retains it in debug builds, which @_noLocks rejects); the properties above
    /// keep them alive.
    private let inputsRef: Unmanaged<SPSCRing<TimedMIDI>>
    private let schedulerRef: Unmanaged<MIDIOutputScheduler>
    /// Input events lost because the worker fell behind (ring full). Written on the RT thread,
    /// read by the worker.
    private let droppedInputs = Atomic<Int>(0)

    init(input: MIDIInputPort, output: MIDIOutputPort, scheduler: MIDIOutputScheduler) {
        self.input = input
        self.output = output
        self.scheduler = scheduler
        inputsRef = Unmanaged.passUnretained(inputs)
        schedulerRef = Unmanaged.passUnretained(scheduler)
    }

    var droppedInputCount: Int { droppedInputs.load(ordering: .relaxed) }

    /// The two halves are compiler-checked (`copyInputs` here, `MIDIOutputScheduler.render` in
    /// its module). This joint is not: calling a method on a borrowed object from a checked
    /// function counts as reference counting to the checker. The whole callback is checked at
    /// run time instead, by the allocation probe test (`Tests/RTProbe`).
    func process(frames: Int, cycle: borrowing ProcessCycle) {
        copyInputs(cycle)
        schedulerRef._withUnsafeGuaranteedRef { $0.render(cycle, to: output) }
    }

    @_noAllocation @_noLocks
    func copyInputs(_ cycle: borrowing ProcessCycle) {
        var events = cycle.events(in: input)
        let start = cycle.firstFrame
        while let event = events.next() {
            let timed = TimedMIDI(frame: start &+ Int64(event.offset), bytes: event.bytes)
            if !inputsRef._withUnsafeGuaranteedRef({ $0.rtPush(timed) }) {
                droppedInputs.wrappingAdd(1, ordering: .relaxed)
            }
        }
    }
}
