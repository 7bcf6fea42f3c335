import ContinuoJACK

/// A performer's MIDI event with the absolute frame it arrived at.
public struct TimedInput: BitwiseCopyable, Sendable {
    public var frame: Int64
    public var bytes: MIDIBytes
}

/// What runs inside the JACK process callback: copies input events, stamped with their frame,
/// into a lock-free ring for the worker, and writes the scheduler's due events at their exact
/// frames. It allocates, locks, logs and calls the system for nothing; a full ring drops and
/// counts instead of blocking.
final class RealtimeBridge: RealtimeProcessor, @unchecked Sendable {
    let input: MIDIInputPort
    let output: MIDIOutputPort
    let inputs = SPSCRing<TimedInput>(capacity: 4096)
    let scheduler: MIDIOutputScheduler
    /// Input events lost because the worker fell behind (ring full).
    private let droppedInputs = UnsafeMutablePointer<Int>.allocate(capacity: 1)

    init(input: MIDIInputPort, output: MIDIOutputPort, scheduler: MIDIOutputScheduler) {
        self.input = input
        self.output = output
        self.scheduler = scheduler
        droppedInputs.initialize(to: 0)
    }

    deinit { droppedInputs.deallocate() }

    var droppedInputCount: Int { droppedInputs.pointee }

    func process(frames: Int, cycle: borrowing ProcessCycle) {
        var events = cycle.events(in: input)
        while let event = events.next() {
            if !inputs.push(TimedInput(frame: cycle.firstFrame &+ Int64(event.offset), bytes: event.bytes)) {
                droppedInputs.pointee &+= 1
            }
        }
        scheduler.render(cycle, to: output)
    }
}
