import ArgumentParser
import ContinuoALSA
import ContinuoMIDI
import ContinuoOffline
import ContinuoProcess
import Foundation

struct BenchALSA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alsa",
        abstract: "ALSA sequencer timing: queue delivery through Midi Through, or (--daemon) the daemon's input-to-first-response latency on --backend alsa.",
        discussion: """
        Needs a sequencer (/dev/snd/seq); where there is none, run it in the VM: \
        scripts/alsa-vm .build/release/continuo bench alsa --daemon. A VM's timer is not a bare machine's.
        """)

    @Option(help: "Notes to play.") var notes = 400
    @Option(help: "Milliseconds between notes.") var spacing = 10.0
    @Option(help: "How far ahead each note is sent, in milliseconds (queue delivery only).") var ahead = 5.0
    @Flag(help: "Measure a running daemon (midi-effect preset on --backend alsa): from a note sent to the first generated note and to its pass-through.")
    var daemon = false
    @Option(help: "Model for --daemon (default: the bundled one).") var model: String?

    func run() throws {
        guard ALSASequencer.isAvailable else { throw CLIError("no ALSA sequencer here (/dev/snd/seq); try scripts/alsa-vm \(CommandLine.arguments.joined(separator: " "))") }
        do {
            if daemon { try measureDaemon() } else { try measureQueue() }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError("\(error)")
        }
    }

    private func measureQueue() throws {
        let seq = try ALSASequencer(name: "continuo-bench")
        guard let through = seq.ports.first(where: { $0.clientName == "Midi Through" && $0.sends && $0.receives }) else {
            throw CLIError("no Midi Through port (load snd-seq-dummy)")
        }
        try seq.play(into: through)
        try seq.listen(to: through)
        var lateness: [Double] = []
        // One note at a time, sent `ahead` before its time, as the daemon's sequencer thread would.
        var due = seq.now + Int64(50e6)
        for k in 0..<notes {
            while seq.now < due - Int64(ahead * 1e6) { usleep(200) }
            try seq.send(.noteOn(channel: 0, pitch: UInt8(36 + k % 60), velocity: 80), at: due)
            let deadline = Date().addingTimeInterval(1)
            while Date() < deadline {
                if case let .message(m, at, _, _)? = try seq.receive(timeoutMilliseconds: 20), m.isNoteOn {
                    lateness.append(Double(at - due) / 1e6)
                    break
                }
            }
            try seq.send(.noteOff(channel: 0, pitch: UInt8(36 + k % 60)), at: nil)
            due += Int64(spacing * 1e6)
        }
        print("ALSA queue delivery, \(lateness.count) of \(notes) notes through \(through): lateness in ms \(Self.summary(lateness))")
    }

    /// The daemon as a USB keyboard and a synth see it: a note goes in (sent now, its time read
    /// on this client's queue), the first generated note and the pass-through come back stamped
    /// on arrival by the same queue.
    private func measureDaemon() throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let modelPath = model ?? ModelStore.defaultModelPath()
        guard let modelPath else { throw CLIError("no bundled model found; pass --model FILE") }
        let folder = try TemporaryFolder(prefix: "continuo-bench-alsa")
        let seq = try ALSASequencer(name: "continuo-bench-keys", inputName: "in", outputName: "out")
        let child = try ChildProcess(executable, ["daemon", "--backend", "alsa", "--preset", "midi-effect", "--model", modelPath, "--no-socket",
                                                   "--connect-in", "continuo-bench-keys", "--connect-out", "continuo-bench-keys"],
                                     standardOutput: .file(folder.path("daemon.out")), standardError: .file(folder.path("daemon.log")))
        defer { _ = child.stop(grace: 10) }
        // Connected when a probe note comes back through.
        var connected = false
        let deadline = Date().addingTimeInterval(60)
        while !connected, Date() < deadline, child.isRunning {
            try seq.send(.noteOn(channel: 0, pitch: 30, velocity: 1), at: nil)
            try seq.send(.noteOff(channel: 0, pitch: 30), at: nil)
            let wait = Date().addingTimeInterval(0.2)
            while Date() < wait {
                if case .message? = try seq.receive(timeoutMilliseconds: 20) { connected = true }
            }
        }
        guard connected else {
            throw CLIError("the daemon did not connect: \((try? String(contentsOfFile: folder.path("daemon.log"), encoding: .utf8)) ?? "")")
        }
        while try seq.receive(timeoutMilliseconds: 300) != nil {}
        var first: [Double] = [], through: [Double] = []
        for k in 0..<notes {
            let pitch = UInt8(48 + (k * 7) % 36)
            let sent = seq.now
            try seq.send(.noteOn(channel: 0, pitch: pitch, velocity: 90), at: nil)
            var gotFirst = false, gotThrough = false
            let until = Date().addingTimeInterval(spacing / 1000)
            while Date() < until {
                guard case let .message(m, at, _, _)? = try seq.receive(timeoutNanoseconds: 200_000), m.isNoteOn else { continue }
                if m.channel == 0, m.data1 == pitch, !gotThrough { through.append(Double(at - sent) / 1e6); gotThrough = true }
                if m.channel == 1, !gotFirst { first.append(Double(at - sent) / 1e6); gotFirst = true }
            }
            try seq.send(.noteOff(channel: 0, pitch: pitch), at: nil)
        }
        let exit = child.stop(grace: 10)
        print("daemon on ALSA (midi-effect, \(notes) notes every \(spacing) ms): first response in ms \(Self.summary(first)) (\(first.count) answered)")
        print("pass-through in ms \(Self.summary(through)) (\(through.count) passed); daemon exit \(exit.code)")
        if exit.code != 0 || first.count < notes * 9 / 10 {
            let log = (try? String(contentsOfFile: folder.path("daemon.log"), encoding: .utf8)) ?? ""
            print("daemon log (last lines):\n" + log.split(separator: "\n").suffix(15).joined(separator: "\n"))
        }
    }

    static func summary(_ values: [Double]) -> String {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return "none" }
        func pct(_ p: Double) -> String { String(format: "%.3f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) }
        return "p50 \(pct(0.5)), p99 \(pct(0.99)), max \(String(format: "%.3f", sorted.last!)), min \(String(format: "%.3f", sorted.first!))"
    }
}
