import ArgumentParser
import ContinuoHarness
import ContinuoMIDI
import ContinuoParameters
import Foundation

struct BenchLV2: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lv2",
        abstract: "CPU time per run() of the LV2 plugin at 48 kHz / 128 frames while it answers (this process is a minimal host, paced in real time; the plugin's worker thread runs as in a DAW).")

    @Option(help: "The installed bundle (continuo lv2 install).") var bundle = (NSHomeDirectory() as NSString).appendingPathComponent(".lv2/continuo.lv2")
    @Option(help: "Seconds to play, in real time.") var seconds = 10.0
    @Option(help: "Notes per second played into it.") var notesPerSecond = 8.0

    func run() throws {
        let rate = 48_000, period = 128
        let host: MinimalLV2Host
        do { host = try MinimalLV2Host(bundle: bundle, sampleRate: rate) } catch { throw CLIError(error) }
        host.set(.mode, .choice("effect"))
        host.set(.outputChannel, .integer(2))
        host.activate()
        let cycles = Int(seconds * Double(rate) / Double(period))
        let gap = max(2, Int(Double(rate) / notesPerSecond / Double(period)))
        var cpu: [Double] = []
        cpu.reserveCapacity(cycles)
        var answers = 0, played = 0
        var next = timespec()
        clock_gettime(CLOCK_MONOTONIC, &next)
        for cycle in 0..<cycles {
            let pitch = UInt8(48 + (cycle / gap * 5) % 36)
            var events: [(offset: Int, bytes: MIDIBytes)] = []
            if cycle % gap == 0 {
                events.append((17, .noteOn(channel: 0, pitch: pitch, velocity: 90)))
                played += 1
            } else if cycle % gap == gap / 2 {
                events.append((17, .noteOff(channel: 0, pitch: pitch)))
            }
            let (microseconds, out) = host.runTimed(frames: period, events: events)
            cpu.append(microseconds)
            answers += out.filter { $0.bytes.isNoteOn && $0.bytes.channel == 1 }.count
            // Real-time pacing: the worker thread needs the time a period gives it.
            next.tv_nsec += period * 1_000_000_000 / rate
            if next.tv_nsec >= 1_000_000_000 { next.tv_sec += 1; next.tv_nsec -= 1_000_000_000 }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nil)
        }
        host.deactivate()
        let sorted = cpu.sorted()
        func at(_ p: Double) -> String { String(format: "%.1f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) }
        print("LV2 run() at \(rate) Hz / \(period) frames: \(cycles) calls, \(played) notes in, \(answers) machine notes out")
        print("CPU time per run(): p50 \(at(0.5)) µs, p99 \(at(0.99)) µs, max \(String(format: "%.1f", sorted.last ?? 0)) µs (the period is \(String(format: "%.0f", Double(period) / Double(rate) * 1e6)) µs)")
    }
}
