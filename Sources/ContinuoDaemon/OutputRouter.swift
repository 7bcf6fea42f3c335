import ContinuoEngine
import ContinuoJACK
import ContinuoMIDI

/// Hands what the engine plays to the real-time scheduler, keeping `EngineOutput`'s contract: a
/// flush drops and ends the machine's notes only (the scheduler keeps pass-through apart).
enum OutputRouter {
    /// Schedules `output` (nothing before `now`) and returns what was queued, for capture and
    /// subscribers.
    static func route(_ output: EngineOutput, now: Int64, to scheduler: MIDIOutputScheduler, counting report: inout Daemon.Report) -> [ScheduledMIDI] {
        if output.flush {
            scheduler.flush()
            report.flushes += 1
        }
        var queued: [ScheduledMIDI] = []
        queued.reserveCapacity(output.events.count)
        let generation = scheduler.currentGeneration
        for event in output.events {
            let scheduled = ScheduledMIDI(frame: max(event.frame, now), generation: generation, bytes: event.bytes, isGenerated: event.isGenerated)
            if scheduler.schedule(scheduled) { report.scheduled += 1 }
            queued.append(scheduled)
        }
        return queued
    }
}
