import ContinuoJACK
import ContinuoProcess
import ContinuoRandom
import Foundation
import Histogram

/// Plays phrases into a running `continuo daemon` over a private JACK server, records what it
/// plays back with frame timestamps, and measures: input-to-first-response latency, pass-through
/// latency, stuck notes, xruns, dropped and late events, and the daemon's memory over the run.
public struct LatencyHarness {
    public struct Options: Sendable {
        /// The `continuo` binary that runs the daemon.
        public var executable: String
        public var preset = "midi-effect"
        public var model: String?
        public var seconds = 20.0
        public var notesPerSecond = 20.0
        /// A temperature knob turn (CC) this often, in seconds; 0: never.
        public var controlEvery = 1.0
        public var temperatureController: UInt8 = 74
        public var inputChannel: UInt8 = 0
        /// The channel the machine answers on (0-based); pass-through stays on the input's.
        public var machineChannel: UInt8 = 1
        public var seed: UInt64 = 7
        /// The daemon's control socket (default: a temporary path), e.g. for abusing it meanwhile.
        public var socket: String?
        /// Instead of `continuo daemon`, this command (a plugin host such as jalv, argv[0] a
        /// path), with JACK_DEFAULT_SERVER naming the private server.
        public var host: [String]?
        public var hostEnvironment: [String: String] = [:]
        /// A line written to the host's standard input halfway through the script (jalv's
        /// console: "mode = 0"); the result counts the machine's notes heard from 0.1 s after.
        public var midwayLine: String?
        /// More arguments for `continuo daemon` (e.g. --web 127.0.0.1:8750, to abuse its page meanwhile).
        public var daemonArguments: [String] = []

        public init(executable: String) { self.executable = executable }
    }

    public struct Summary: Sendable, Codable {
        public var count: Int
        public var p50: Int
        public var p99: Int
        public var p999: Int
        public var max: Int
    }

    public struct Result: Sendable, Codable {
        public var sampleRate: Int
        public var period: Int
        public var inputNotes: Int
        public var responded: Int
        public var responseLatencyFrames: Summary?
        public var passThroughLatencyFrames: Summary?
        public var stuckNotes: Int
        public var receivedEvents: Int
        /// Server xruns while the script played (connecting and disconnecting clients may cause
        /// one of their own, counted in `harnessXruns`).
        public var xrunsDuringPlay: Int
        public var harnessXruns: Int
        public var daemonReport: [String: Int]
        public var daemonExitStatus: Int32
        public var rssStartKB: Int
        public var rssEndKB: Int
        public var daemonLog: String
        /// Machine note-ons heard from 0.1 s after `midway` (nil without one).
        public var machineNotesAfterMidway: Int?
    }

    public let options: Options

    public init(options: Options) { self.options = options }

    public func run(progress: (String) -> Void = { _ in }) throws -> Result {
        let server = try PrivateJackServer()
        defer { server.stop() }
        progress("private JACK server '\(server.name)': \(server.sampleRate) Hz, \(server.period) frames per period")

        let folder = try TemporaryFolder(prefix: "continuo-bench")
        let logPath = folder.path("daemon.log"), reportPath = folder.path("daemon.out")
        let socket = options.socket ?? folder.path("control.sock")
        // In the caller's process group: a Ctrl-C on `continuo bench latency` reaches the daemon
        // too, and whoever kills the bench's group kills the daemon with it.
        let daemon: ChildProcess
        // A host reads commands on its standard input and quits when it ends: a FIFO held open here.
        var hostInput: Int32 = -1
        defer { if hostInput >= 0 { close(hostInput) } }
        if let host = options.host {
            let fifo = folder.path("host.in")
            guard mkfifo(fifo, 0o600) == 0 else { throw HarnessError.daemonDidNotConnect("cannot make \(fifo)") }
            hostInput = open(fifo, O_RDWR)
            daemon = try ChildProcess(host[0], Array(host.dropFirst()),
                                      environment: ["JACK_NO_START_SERVER": "1", "JACK_DEFAULT_SERVER": server.name].merging(options.hostEnvironment) { $1 },
                                      standardInput: .file(fifo),
                                      standardOutput: .file(reportPath), standardError: .file(logPath), group: .inherit)
        } else {
            daemon = try ChildProcess(options.executable,
                                      ["daemon", "--preset", options.preset, "--jack-server", server.name, "--socket", socket]
                                          + (options.model.map { ["--model", $0] } ?? []) + options.daemonArguments,
                                      environment: ["JACK_NO_START_SERVER": "1"],
                                      standardOutput: .file(reportPath), standardError: .file(logPath), group: .inherit)
        }
        defer { daemon.stop(grace: 10) } // on every path, a throw included; reaps
        func text(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }

        // Two clients, so the graph runs player -> daemon -> listener in one cycle: a single
        // client that both plays and listens would add a period of its own (a feedback loop).
        let client = try JackClient(name: "continuo-harness-play", server: server.name)
        let listenerClient = try JackClient(name: "continuo-harness-hear", server: server.name)
        let play = try client.registerMIDIOutput(name: "play")
        let hear = try listenerClient.registerMIDIInput(name: "hear")
        let script = makeScript(sampleRate: server.sampleRate)
        let player = ScriptedPlayer(play: play, hear: nil, script: script.steps)
        let listener = ScriptedPlayer(play: nil, hear: hear, script: [])
        try client.activate(process: player)
        try listenerClient.activate(process: listener)

        // Wait for the daemon's ports, then wire it between our two.
        let deadline = Date().addingTimeInterval(15)
        var daemonIn: String?, daemonOut: String?
        while Date() < deadline, daemonIn == nil || daemonOut == nil {
            let ours = Set([play.name, hear.name])
            daemonIn = client.ports(matching: "", type: .midi, direction: .input).first { !ours.contains($0) }
            daemonOut = client.ports(matching: "", type: .midi, direction: .output).first { !ours.contains($0) }
            if !daemon.isRunning { break }
            usleep(20_000)
        }
        guard let daemonIn, let daemonOut else {
            throw HarnessError.daemonDidNotConnect(text(logPath))
        }
        try client.connect(play.name, daemonIn)
        try client.connect(daemonOut, hear.name)
        progress("connected \(play.name) -> \(daemonIn), \(daemonOut) -> \(hear.name); playing \(script.noteCount) notes over \(options.seconds) s")

        let rssStart = Self.residentKB(pid: daemon.pid)
        let origin = client.monitor.lastCycleStart + Int64(4 * server.period)
        let xrunsAtStart = listenerClient.xrunCount
        player.start.store(origin, ordering: .releasing)
        var heard: [ScriptedPlayer.Heard] = []
        var lastReport = Date()
        let midwayAt = Date().addingTimeInterval(options.seconds / 2)
        var midwayFrame: Int64? = nil
        while !player.finished {
            if let line = options.midwayLine, midwayFrame == nil, Date() >= midwayAt {
                midwayFrame = listenerClient.monitor.lastCycleStart
                _ = (line + "\n").withCString { write(hostInput, $0, strlen($0)) }
            }
            while let event = listener.heard.pop() { heard.append(event) }
            if Date().timeIntervalSince(lastReport) >= 10 {
                lastReport = Date()
                progress("... \(heard.count) events heard, daemon RSS \(Self.residentKB(pid: daemon.pid)) kB")
            }
            usleep(5_000)
        }
        usleep(500_000) // let the last answers and note-offs arrive
        let xrunsDuringPlay = listenerClient.xrunCount - xrunsAtStart
        let rssEnd = Self.residentKB(pid: daemon.pid)
        daemon.signal(SIGTERM) // the daemon releases its notes before leaving JACK
        let stopDeadline = Date().addingTimeInterval(10)
        while daemon.isRunning, Date() < stopDeadline {
            while let event = listener.heard.pop() { heard.append(event) }
            usleep(5_000)
        }
        usleep(50_000)
        while let event = listener.heard.pop() { heard.append(event) }
        let harnessXruns = client.xrunCount + listenerClient.xrunCount
        try? client.deactivate()
        try? listenerClient.deactivate()
        client.close()
        listenerClient.close()

        let exitStatus = daemon.stop(grace: 0) // reaped; SIGKILL if it outstayed the 10 s above
        let reportText = text(reportPath)
        var daemonReport: [String: Int] = [:]
        if let line = reportText.split(separator: "\n").last(where: { $0.hasPrefix("report ") }),
           let json = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any] {
            daemonReport = json.compactMapValues { $0 as? Int }   // the counters (not the backend's name)
        }
        var result = analyse(heard: heard, script: script, sampleRate: server.sampleRate, period: server.period, origin: origin,
                             xrunsDuringPlay: xrunsDuringPlay, harnessXruns: harnessXruns, daemonReport: daemonReport, exitStatus: exitStatus.code,
                             rssStart: rssStart, rssEnd: rssEnd,
                             log: text(logPath))
        if let midwayFrame {
            let from = midwayFrame + Int64(server.sampleRate / 10)
            result.machineNotesAfterMidway = heard.filter { $0.frame >= from && $0.bytes.isNoteOn && $0.bytes.channel == options.machineChannel }.count
        }
        return result
    }

    public enum HarnessError: Error, CustomStringConvertible {
        case daemonDidNotConnect(String)
        public var description: String {
            switch self {
            case let .daemonDidNotConnect(log): return "the daemon did not show up on JACK. Its log:\n\(log)"
            }
        }
    }

    struct Script {
        var steps: [ScriptedPlayer.Step]
        var noteOnFrames: [Int64]
        var noteCount: Int
    }

    /// Notes at a steady rate (each half as long as the gap), random pitches and velocities,
    /// and a temperature knob turned at the given interval.
    func makeScript(sampleRate: Int) -> Script {
        var random = SeededRandom(seed: options.seed)
        let gap = Int64(Double(sampleRate) / options.notesPerSecond)
        let total = Int64(options.seconds * Double(sampleRate))
        var steps: [ScriptedPlayer.Step] = []
        var ons: [Int64] = []
        var frame: Int64 = 0
        let channel = options.inputChannel
        while frame + gap <= total {
            let pitch = UInt8(48 + random.next() % 37)
            steps.append(.init(frame: frame, bytes: .noteOn(channel: channel, pitch: pitch, velocity: UInt8(64 + random.next() % 48))))
            steps.append(.init(frame: frame + gap / 2, bytes: .noteOff(channel: channel, pitch: pitch)))
            ons.append(frame)
            frame += gap
        }
        if options.controlEvery > 0 {
            let every = Int64(options.controlEvery * Double(sampleRate))
            var at = every / 3
            while at < total {
                steps.append(.init(frame: at, bytes: .controlChange(channel: channel, controller: options.temperatureController,
                                                                     value: UInt8(20 + random.next() % 100))))
                at += every
            }
        }
        steps.sort { $0.frame < $1.frame }
        return Script(steps: steps, noteOnFrames: ons, noteCount: ons.count)
    }

    func analyse(heard: [ScriptedPlayer.Heard], script: Script, sampleRate: Int, period: Int, origin: Int64,
                 xrunsDuringPlay: Int, harnessXruns: Int, daemonReport: [String: Int], exitStatus: Int32, rssStart: Int, rssEnd: Int, log: String) -> Result {
        let inputs = script.noteOnFrames.map { $0 + origin }
        if ProcessInfo.processInfo.environment["CONTINUO_HARNESS_DEBUG"] != nil {
            print("inputs: \(inputs.prefix(5).map { "\($0) (cycle \($0 / Int64(period)), offset \($0 % Int64(period)))" })")
            print("heard: \(heard.prefix(12).map { "\($0.frame)+\($0.bytes)" })")
        }
        let machineOns = heard.filter { $0.bytes.isNoteOn && $0.bytes.channel == options.machineChannel }.map(\.frame)
        let throughOns = heard.filter { $0.bytes.isNoteOn && $0.bytes.channel == options.inputChannel }.map(\.frame)
        var response = Histogram<UInt64>(highestTrackableValue: 10_000_000, numberOfSignificantValueDigits: .three)
        var through = response
        var responded = 0
        var m = 0, t = 0
        for (i, input) in inputs.enumerated() {
            let next = i + 1 < inputs.count ? inputs[i + 1] : Int64.max
            while m < machineOns.count, machineOns[m] < input { m += 1 }
            if m < machineOns.count, machineOns[m] < next {
                _ = response.record(UInt64(machineOns[m] - input))
                responded += 1
            }
            while t < throughOns.count, throughOns[t] < input { t += 1 }
            if t < throughOns.count, throughOns[t] < next { _ = through.record(UInt64(throughOns[t] - input)) }
        }
        // Every note-on heard must have been released by the end (CC123 counts as a release).
        var sounding = Set<Int>()
        for event in heard {
            let key = Int(event.bytes.channel) << 7 | Int(event.bytes.data1)
            if event.bytes.isNoteOn { sounding.insert(key) }
            else if event.bytes.isNoteOff { sounding.remove(key) }
            else if event.bytes.status & 0xF0 == 0xB0, event.bytes.data1 == 123 || event.bytes.data1 == 120 {
                sounding = sounding.filter { $0 >> 7 != Int(event.bytes.channel) }
            }
        }
        func summary(_ h: Histogram<UInt64>) -> Summary? {
            guard h.totalCount > 0 else { return nil }
            return Summary(count: Int(h.totalCount), p50: Int(h.valueAtPercentile(50)), p99: Int(h.valueAtPercentile(99)),
                           p999: Int(h.valueAtPercentile(99.9)), max: Int(h.max))
        }
        return Result(sampleRate: sampleRate, period: period, inputNotes: inputs.count, responded: responded,
                      responseLatencyFrames: summary(response), passThroughLatencyFrames: summary(through),
                      stuckNotes: sounding.count, receivedEvents: heard.count, xrunsDuringPlay: xrunsDuringPlay, harnessXruns: harnessXruns,
                      daemonReport: daemonReport, daemonExitStatus: exitStatus, rssStartKB: rssStart, rssEndKB: rssEnd, daemonLog: log,
                      machineNotesAfterMidway: nil)
    }

    static func residentKB(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
