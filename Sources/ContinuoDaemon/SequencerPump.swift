import ContinuoALSA
import ContinuoJACK
import ContinuoMIDI
import Foundation
import Synchronization

/// What the sequencer thread passes to the worker: a performer's message stamped with its
/// frame, or a port that appeared or went away (hot-plug).
struct SequencerInput: BitwiseCopyable, Sendable {
    enum Kind: UInt8, BitwiseCopyable, Sendable { case message, portAppeared, portWentAway }
    var kind: Kind
    var frame: Int64
    var bytes: MIDIBytes
    var client: Int32
    var port: Int32
}

/// The thread that talks to the ALSA sequencer, under the JACK callback's rules: once per
/// period it renders the scheduler's due events into a preallocated buffer and hands them to
/// the queue at their exact times, one to two periods ahead; between periods it waits for input
/// and pushes it, stamped by the kernel on arrival, into a lock-free ring. It allocates, locks
/// and logs nothing; a full ring drops and counts. Its only system calls are the sequencer's.
final class SequencerPump: @unchecked Sendable {
    let inputs = SPSCRing<SequencerInput>(capacity: 4096)
    private let sequencer: ALSASequencer
    private let scheduler: MIDIOutputScheduler
    private let rendered: MIDICaptureBuffer
    private let frameRate: Int64
    private let period: Int64
    private let handedOver = Atomic<Int64>(0)
    private let stopRequested = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let failedCall = Atomic<Int32>(0)
    private let lastSent = Atomic<Int64>(0)
    private let lateCount = Atomic<Int>(0)
    private let droppedIn = Atomic<Int>(0)
    private let droppedOut = Atomic<Int>(0)
    /// Input handled per wakeup at most, so a flood cannot starve the output.
    private static let inputsPerWakeup = 256
    /// Further behind than this (the thread was not scheduled), skip ahead: late beats lost.
    private static let catchUpLimitFrames: Int64 = 4_800

    init(sequencer: ALSASequencer, scheduler: MIDIOutputScheduler, frameRate: Int, period: Int) {
        self.sequencer = sequencer
        self.scheduler = scheduler
        self.frameRate = Int64(frameRate)
        self.period = Int64(period)
        rendered = MIDICaptureBuffer(capacity: 2048)
        let nowFrame = sequencer.now &* Int64(frameRate) / 1_000_000_000
        handedOver.store((nowFrame / Int64(period) + 1) * Int64(period), ordering: .releasing)
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// The first frame not yet handed to the queue: the worker's "now".
    var handedOverUntil: Int64 { handedOver.load(ordering: .acquiring) }
    var lateWakeups: Int { lateCount.load(ordering: .relaxed) }
    var droppedInputs: Int { droppedIn.load(ordering: .relaxed) }
    var droppedOutputs: Int { droppedOut.load(ordering: .relaxed) }

    /// Why the thread stopped talking to the sequencer, if it did.
    var failure: String? {
        let code = failedCall.load(ordering: .acquiring)
        if code != 0 { return "\(ALSAError(call: "the ALSA sequencer", code: code))" }
        return finished.load(ordering: .acquiring) && !stopRequested.load(ordering: .relaxed) ? "the sequencer thread ended" : nil
    }

    /// Stops the thread; with `draining`, first waits (up to half a second) until what was
    /// handed to the queue has been delivered, since closing the client would drop it.
    func stop(draining: Bool) {
        if draining, failure == nil {
            // A flush or panic asked for just now is rendered by the next period or two.
            usleep(UInt32(period * 2 * 1_000_000 / frameRate) + 500)
            let deadline = Date().addingTimeInterval(0.5)
            while Date() < deadline, scheduler.queuedEvents > 0 { usleep(1_000) }
            let last = lastSent.load(ordering: .acquiring)
            while Date() < deadline, sequencer.now <= last + 1_000_000 { usleep(1_000) }
        }
        stopRequested.store(true, ordering: .releasing)
        let deadline = Date().addingTimeInterval(1)
        while !finished.load(ordering: .acquiring), Date() < deadline { usleep(1_000) }
    }

    // MARK: The sequencer thread

    private func run() {
        // Named for `top -H` and for the allocation probe (Foundation does not name it on Linux).
        Thread.current.name = "continuo-alsa"
        raisePriority()
        var windowStart = handedOver.load(ordering: .acquiring) &- period
        while !stopRequested.load(ordering: .acquiring) {
            let now = sequencer.now
            let nowFrame = frames(now)
            if nowFrame > windowStart {
                lateCount.wrappingAdd(1, ordering: .relaxed)
                if nowFrame - windowStart > Self.catchUpLimitFrames { windowStart = nowFrame / period * period }
            }
            while windowStart <= nowFrame &+ period {
                guard handOver(windowStart) else { return finish() }
                windowStart &+= period
                handedOver.store(windowStart, ordering: .releasing)
            }
            var timeout = nanoseconds(windowStart &- period) &- now
            var handled = 0
            while handled < Self.inputsPerWakeup {
                let input: ALSASequencer.Input?
                do {
                    input = try sequencer.receive(timeoutNanoseconds: max(timeout, 0))
                } catch {
                    failedCall.store(error.code, ordering: .releasing)
                    return finish()
                }
                guard let input else { break }
                push(input, arrivedBy: nowFrame)
                handled &+= 1
                timeout = 0
            }
        }
        finish()
    }

    private func finish() { finished.store(true, ordering: .releasing) }

    /// Renders `[start, start + period)` and queues each event at its time.
    private func handOver(_ start: Int64) -> Bool {
        rendered.removeAll()
        var writer = rendered.writer(cycleStart: start, frames: Int(period))
        scheduler.render(into: &writer, cycleStart: start)
        var i = 0
        let count = rendered.count
        while i < count {
            let event = rendered[i]
            let at = nanoseconds(event.frame)
            do {
                try sequencer.send(event.bytes, at: at)
                lastSent.store(at, ordering: .releasing)
            } catch where error.code == -EAGAIN || error.code == -ENOMEM || error.code == -EINVAL {
                droppedOut.wrappingAdd(1, ordering: .relaxed)
            } catch {
                failedCall.store(error.code, ordering: .releasing)
                return false
            }
            i &+= 1
        }
        return true
    }

    private func push(_ input: ALSASequencer.Input, arrivedBy fallback: Int64) {
        let event: SequencerInput
        switch input {
        case let .message(bytes, at, client, port):
            event = SequencerInput(kind: .message, frame: at >= 0 ? frames(at) : fallback, bytes: bytes, client: client, port: port)
        case let .portAppeared(client, port):
            event = SequencerInput(kind: .portAppeared, frame: fallback, bytes: MIDIBytes(status: 0, data1: 0, data2: 0, count: 0), client: client, port: port)
        case let .portWentAway(client, port):
            event = SequencerInput(kind: .portWentAway, frame: fallback, bytes: MIDIBytes(status: 0, data1: 0, data2: 0, count: 0), client: client, port: port)
        }
        if !inputs.push(event) { droppedIn.wrappingAdd(1, ordering: .relaxed) }
    }

    /// Below JACK's usual priority (its threads run at 70-95), above the worker's 5; without
    /// the right to, it runs as is (the worker's log already says so).
    private func raisePriority() {
        var parameters = sched_param()
        parameters.sched_priority = 10
        _ = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters)
    }

    private func frames(_ nanoseconds: Int64) -> Int64 { nanoseconds &* frameRate / 1_000_000_000 }
    private func nanoseconds(_ frames: Int64) -> Int64 { frames &* 1_000_000_000 / frameRate }
}
