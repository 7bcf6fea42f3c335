import ContinuoMIDI
import ContinuoJACK
import Synchronization

/// The harness's real-time side: plays a prepared script of MIDI events at exact frames from
/// a start frame the owner sets, and records everything it hears with its frame.
final class ScriptedPlayer: RealtimeProcessor, @unchecked Sendable {
    struct Step: BitwiseCopyable {
        var frame: Int64 // relative to the start
        var bytes: MIDIBytes
    }

    struct Heard: BitwiseCopyable {
        var frame: Int64
        var bytes: MIDIBytes
    }

    let play: MIDIOutputPort?
    let hear: MIDIInputPort?
    let heard = SPSCRing<Heard>(capacity: 1 << 20)
    private let script: UnsafeMutableBufferPointer<Step>
    private let cursor = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    let start = Atomic<Int64>(-1)

    init(play: MIDIOutputPort?, hear: MIDIInputPort?, script steps: [Step]) {
        self.play = play
        self.hear = hear
        script = UnsafeMutableBufferPointer.allocate(capacity: max(steps.count, 1))
        _ = script.initialize(from: steps)
        cursor.initialize(to: 0)
    }

    deinit {
        script.deallocate()
        cursor.deallocate()
    }

    var finished: Bool { cursor.pointee >= script.count }

    func process(frames: Int, cycle: borrowing ProcessCycle) {
        if let hear {
            var events = cycle.events(in: hear)
            while let event = events.next() {
                _ = heard.push(Heard(frame: cycle.firstFrame &+ Int64(event.offset), bytes: event.bytes))
            }
        }
        let origin = start.load(ordering: .acquiring)
        guard let play, origin >= 0 else { return }
        var writer = cycle.writer(for: play)
        let end = cycle.firstFrame &+ Int64(frames)
        while cursor.pointee < script.count {
            let step = script[cursor.pointee]
            let frame = origin &+ step.frame
            if frame >= end { break }
            _ = writer.write(offset: max(0, Int(frame &- cycle.firstFrame)), bytes: step.bytes)
            cursor.pointee &+= 1
        }
    }
}
