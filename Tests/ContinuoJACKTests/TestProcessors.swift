import ContinuoMIDI
import Glibc
import Synchronization
@testable import ContinuoJACK

/// Sender: every `every` cycles writes a note-on at `offset`, records its absolute frame.
final class PulseSender: RealtimeProcessor, @unchecked Sendable {
    let port: MIDIOutputPort
    let every: Int
    let offset: Int
    let sent = SPSCRing<Int64>(capacity: 4096)
    let go = Atomic<Bool>(false)
    var cycle = 0
    var pitch: UInt8 = 0

    init(port: MIDIOutputPort, every: Int, offset: Int) {
        self.port = port
        self.every = every
        self.offset = offset
    }

    func process(frames: Int, cycle c: borrowing ProcessCycle) {
        guard go.load(ordering: .acquiring) else { return }
        cycle += 1
        guard cycle % every == 0 else { return }
        var w = c.writer(for: port)
        if w.write(offset: offset, bytes: .noteOn(channel: 0, pitch: pitch, velocity: 100)) {
            _ = sent.push(c.firstFrame + Int64(offset))
            pitch = (pitch + 1) & 0x7F
        }
    }
}

/// Something a recorder saw: absolute frame and message.
struct Received: BitwiseCopyable, Equatable {
    var frame: Int64
    var bytes: MIDIBytes
}

/// Receiver: records every input event (absolute frame = cycle start + offset) into a ring;
/// optionally renders a scheduler to an output. Notes its RT thread for the allocation test.
final class Recorder: RealtimeProcessor, @unchecked Sendable {
    let input: MIDIInputPort
    let received = SPSCRing<Received>(capacity: 8192)
    let lost = Atomic<Int>(0)
    let thread = Atomic<UInt>(0)

    init(input: MIDIInputPort) { self.input = input }

    func process(frames: Int, cycle: borrowing ProcessCycle) {
        thread.store(UInt(pthread_self()), ordering: .relaxed)
        let start = cycle.firstFrame
        cycle.forEachEvent(in: input) { offset, bytes in
            if !received.push(Received(frame: start + Int64(offset), bytes: bytes)) {
                lost.wrappingAdd(1, ordering: .relaxed)
            }
        }
    }

    func drain() -> [Received] {
        var out: [Received] = []
        while let r = received.pop() { out.append(r) }
        return out
    }
}

/// Plays a scheduler into an output port (the daemon's shape).
final class SchedulerPlayer: RealtimeProcessor, @unchecked Sendable {
    let output: MIDIOutputPort
    let scheduler: MIDIOutputScheduler
    let thread = Atomic<UInt>(0)

    init(output: MIDIOutputPort, scheduler: MIDIOutputScheduler) {
        self.output = output
        self.scheduler = scheduler
    }

    func process(frames: Int, cycle: borrowing ProcessCycle) {
        thread.store(UInt(pthread_self()), ordering: .relaxed)
        scheduler.render(cycle, to: output)
    }
}
