import ContinuoEngine
import ContinuoJACK
import ContinuoMIDI

/// Hands what the engine plays to the real-time scheduler, keeping `EngineOutput`'s contract: a
/// flush drops and ends the machine's notes only (the scheduler keeps pass-through apart), and
/// transposition shifts the machine's notes, never the performer's.
struct OutputRouter {
    /// Semitones added to generated notes.
    var transpose = 0

    /// New transposition: generated notes sounding at the old one are ended first (their
    /// note-offs would go to other keys); the performer's are not touched.
    mutating func setTranspose(_ semitones: Int, scheduler: MIDIOutputScheduler?) {
        transpose = semitones
        scheduler?.flush()
    }

    /// Schedules `output` (nothing before `now`) and returns what was queued, for capture and
    /// subscribers.
    func route(_ output: EngineOutput, now: Int64, to scheduler: MIDIOutputScheduler, counting report: inout Daemon.Report) -> [ScheduledMIDI] {
        if output.flush {
            scheduler.flush()
            report.flushes += 1
        }
        var queued: [ScheduledMIDI] = []
        queued.reserveCapacity(output.events.count)
        let generation = scheduler.currentGeneration
        for event in output.events {
            var bytes = event.bytes
            if event.isGenerated, transpose != 0, bytes.isNoteOn || bytes.isNoteOff {
                bytes.data1 = UInt8(clamping: max(0, min(127, Int(bytes.data1) + transpose)))
            }
            let scheduled = ScheduledMIDI(frame: max(event.frame, now), generation: generation, bytes: bytes, isGenerated: event.isGenerated)
            if scheduler.schedule(scheduled) { report.scheduled += 1 }
            queued.append(scheduled)
        }
        return queued
    }
}
