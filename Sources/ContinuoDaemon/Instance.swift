import ContinuoALSA
import ContinuoMIDI
import ContinuoEngine
import ContinuoJACK
import ContinuoModel
import ContinuoFiles
import ContinuoProtocol
import Foundation
import Histogram
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One generator: its own JACK or ALSA client and ports, model, preset and parameters. Connects
/// (and keeps reconnecting while the server or sequencer is away), feeds the performer's events
/// to the engine on a worker loop, and hands what the engine plays to the real-time scheduler.
/// Stops gracefully on request: machine notes are released, all notes off is sent, then the
/// client leaves.
public final class Instance: @unchecked Sendable {
    public let name: String

    public let options: Daemon.Options
    weak var host: Daemon?
    public let log: Log
    private let stopFlag = Atomic<Bool>(false)
    private var engine: Engine?
    private var inference: LSTMInference
    public internal(set) var report = Daemon.Report()

    // Worker-thread state reachable from control commands (WorkerContext); other threads see
    // it only through `summary` and replies, never directly.
    var currentPreset: Preset { didSet { let name = currentPreset.name; playingShared.withLock { $0.preset = name } } }
    var modelPath: String { didSet { let path = modelPath; playingShared.withLock { $0.model = path } } }
    private let playingShared = Mutex<(model: String, preset: String)>(("", ""))
    let capture = CaptureBuffer()
    private var currentSession: (any MIDISession)?
    private var latencies = Histogram<UInt64>(highestTrackableValue: 48_000 * 60, numberOfSignificantValueDigits: .three)
    private var lastLatency: Int64?
    /// What the last `tempo` and `harmony` events said, so only changes are published.
    private var publishedTempo: (bpm: Double, following: Bool)? = nil
    private var publishedHarmony: (key: String?, chord: String?)? = nil

    // Shared with the control thread.
    private typealias Job = (work: @Sendable (WorkerContext) -> Result<JSONValue, ProtocolError>,
                             reply: @Sendable (Result<JSONValue, ProtocolError>) -> Void)
    private let jobs = Mutex<[Job]>([])
    private static let maximumPendingJobs = 4096
    private let summary = Mutex<JSONValue>(.null)

    /// Where a host other than JACK or ALSA (a plugin) makes the session; nil: the backend's.
    private let sessionFactory: (() throws -> any MIDISession)?

    /// An instance playing on the session `sessionFactory` makes (a plugin host's), without a
    /// daemon around it; `run()` it on a thread of its own.
    public convenience init(name: String, options: Daemon.Options, log: Log, session sessionFactory: @escaping () throws -> any MIDISession) throws {
        try self.init(name: name, options: options, log: log, host: nil, sessionFactory: sessionFactory)
    }

    init(name: String, options: Daemon.Options, log: Log, host: Daemon?, sessionFactory: (() throws -> any MIDISession)? = nil) throws {
        self.sessionFactory = sessionFactory
        self.name = name
        self.options = options
        self.host = host
        self.log = log
        currentPreset = options.preset
        modelPath = options.modelPath
        playingShared.withLock { $0 = (options.modelPath, options.preset.name) }
        let model = try ModelStore.load(options.modelPath)
        inference = LSTMInference(model: model, precision: .int8, maxBatch: 8)
        MathThreads.set(1)
        updateSummary(mode: options.preset.values.choice(.mode), paused: false)
    }

    public func requestStop() { stopFlag.store(true, ordering: .relaxed) }
    /// Lets `run()` run again after a stop (a plugin deactivated and activated again).
    public func clearStop() { stopFlag.store(false, ordering: .relaxed) }
    private var stopRequested: Bool { stopFlag.load(ordering: .relaxed) }

    // MARK: For the control thread

    var instanceSummary: JSONValue { summary.withLock { $0 } }

    func updateSummary(mode: String, paused: Bool) {
        let preset = currentPreset.name
        let name = self.name
        summary.withLock { $0 = ["name": .string(name), "mode": .string(mode), "paused": .bool(paused), "preset": .string(preset)] }
    }

    /// Loads and validates a model (on the caller's thread, never the worker's).
    func loadInference(_ path: String) throws -> LSTMInference {
        LSTMInference(model: try ModelStore.load(path), precision: .int8, maxBatch: 8)
    }

    /// Loads `path` here and swaps it in on the worker between two steps; a bad file throws and
    /// the current model plays on.
    public func swapModel(path: String) throws {
        let inference = UncheckedBox(try loadInference(path))
        _ = enqueue({ $0.swap(inference.value, path: path) }, reply: { _ in })
    }

    /// Applies a preset's engine and sampler settings on the worker.
    public func apply(_ preset: Preset) {
        _ = enqueue({ $0.apply(preset: preset) }, reply: { _ in })
    }

    /// The model and preset now playing (what a plugin saves with the session).
    public var playing: (model: String, preset: String) { playingShared.withLock { $0 } }

    /// Queues work for the worker; false when too much is waiting (the caller sheds it).
    func enqueue(_ work: @escaping @Sendable (WorkerContext) -> Result<JSONValue, ProtocolError>,
                 reply: @escaping @Sendable (Result<JSONValue, ProtocolError>) -> Void) -> Bool {
        jobs.withLock { queue in
            guard queue.count < Self.maximumPendingJobs else { return false }
            queue.append((work, reply))
            return true
        }
    }

    func publish(_ kind: Event.Kind) { host?.publish(Event(instance: name, kind)) }

    /// Publishes the heard tempo when it moved by 1% or locked or let go, and the key and
    /// chord when they changed.
    func publishListening(_ engine: Engine) {
        let status = engine.status
        let l = status.listening
        if let heard = l.heardBPM ?? (publishedTempo == nil ? nil : status.bpm) {
            if publishedTempo.map({ abs(heard / $0.bpm - 1) >= 0.01 || $0.following != l.following }) ?? true {
                publishedTempo = (heard, l.following)
                publish(.tempo(bpm: heard, confidence: l.tempoConfidence, following: l.following))
            }
        }
        if publishedHarmony.map({ $0.key != l.key || $0.chord != l.chord }) ?? (l.key != nil || l.chord != nil) {
            publishedHarmony = (l.key, l.chord)
            publish(.harmony(key: l.key, chord: l.chord))
        }
    }

    func latencySummary() -> JSONValue {
        guard latencies.totalCount > 0 else { return .null }
        return ["count": .int(Int(latencies.totalCount)), "p50": .int(Int(latencies.valueAtPercentile(50))),
                "p99": .int(Int(latencies.valueAtPercentile(99))), "p999": .int(Int(latencies.valueAtPercentile(99.9))),
                "max": .int(Int(latencies.max)), "histogram": .array(latencyBins())]
    }

    /// Counts per power-of-two bin of frames, as [upper bound, count] (a bin holds the values
    /// above the previous bound up to its own), from the 32-frame bin up to the one holding the
    /// maximum: what the page draws as the latency histogram.
    private func latencyBins() -> [JSONValue] {
        var bins: [JSONValue] = [[.int(32), .int(Int(latencies.count(within: 0...32)))]]
        var upper: UInt64 = 32
        while upper < latencies.max {
            bins.append([.int(Int(upper * 2)), .int(Int(latencies.count(within: (upper + 1)...(upper * 2))))])
            upper *= 2
        }
        return bins
    }

    // MARK: Running

    /// Runs until a stop is requested. Never returns early because JACK or ALSA is missing: it
    /// waits.
    public func run() -> Daemon.Report {
        raiseWorkerPriority()
        var backoff = 0.25
        var announced = false
        let backend = options.chosenBackend
        while !stopRequested {
            do {
                let session = try connect(backend)
                report.connections += 1
                report.backend = session.backend.rawValue
                backoff = 0.25
                let status = "connected to \(describe(session)): \(session.sampleRate) Hz, \(session.bufferSize) frames per period; mode \(engine?.configuration.mode.rawValue ?? currentPreset.values.choice(.mode))"
                log.info(name == Daemon.instanceName ? status : "[\(name)] \(status)")
                host?.instanceConnected(self, status: status, first: !announced)
                announced = true
                currentSession = session
                serve(session)
                currentSession = nil
                if session.isGone, !stopRequested {
                    let what = session.backend == .jack ? "the JACK server went away" : "the ALSA sequencer failed (\((session as? ALSASession)?.failure ?? "gone"))"
                    log.warning("\(what); reconnecting (machine notes sounding there are gone with it)")
                    host?.instanceStatus(self, "\(session.backend) gone; reconnecting")
                    publish(.warning(code: .jackUnavailable, message: "\(what); reconnecting"))
                }
                session.close()
            } catch {
                log.warning("\(backend == .auto ? "neither JACK nor the ALSA sequencer is" : "\(backend) is not") available (\(error)); retrying in \(backoff) s")
                host?.instanceStatus(self, "waiting for \(backend == .auto ? "JACK or ALSA" : backend.description): \(error)")
                serveControlWhileWaiting(seconds: backoff)
                backoff = min(backoff * 2, 5)
            }
        }
        report.residentMemoryKB = Self.residentMemoryKB()
        return report
    }

    /// `auto`: JACK when a server runs, else the ALSA sequencer where the machine has one.
    private func connect(_ backend: Backend) throws -> any MIDISession {
        if let sessionFactory { return try sessionFactory() }
        switch backend {
        case .jack: return try JackSession(options: options, log: log)
        case .alsa: return try ALSASession(options: options, log: log)
        case .auto:
            do {
                return try JackSession(options: options, log: log)
            } catch {
                guard ALSASequencer.isAvailable else { throw error }
                log.info("no JACK server (\(error)); playing on the ALSA sequencer")
                return try ALSASession(options: options, log: log)
            }
        }
    }

    private func describe(_ session: any MIDISession) -> String {
        if let alsa = session as? ALSASession { return "the ALSA sequencer as client \(alsa.sequencer.clientID) '\(options.preset.jack.clientName)'" }
        return "JACK\(options.jackServer.map { " server '\($0)'" } ?? "")"
    }

    /// The worker answers within a period, so it runs with real-time priority below JACK's own
    /// threads when allowed (root, or an rtprio limit as the systemd unit sets); otherwise as is.
    private func raiseWorkerPriority() {
        var parameters = sched_param()
        parameters.sched_priority = 5
        let result = pthread_setschedparam(pthread_self(), SCHED_FIFO, &parameters)
        if result == 0 {
            log.debug("worker runs with SCHED_FIFO priority 5")
        } else {
            log.info("worker runs without real-time priority (\(String(cString: strerror(result)))); answers may come late under load")
        }
    }

    private func makeEngine(sampleRate: Int, bufferSize: Int) -> Engine {
        if let engine {
            var updated = engine.configuration // keeps what was changed live
            updated.sampleRate = Double(sampleRate)
            // Counted in periods: the same number of the new period.
            let lookahead = updated.value(of: .lookaheadPeriods)
            updated.periodFrames = Int64(bufferSize)
            updated.apply(.lookaheadPeriods, lookahead)
            updated.responseDelayFrames = Int64(bufferSize)
            updated.throughDelayFrames = Int64(bufferSize)
            engine.set(configuration: updated)
            return engine
        }
        let created = Engine(inference: inference, configuration: currentPreset.engineConfiguration(sampleRate: sampleRate, bufferSize: bufferSize),
                             seed: options.seed)
        engine = created
        return created
    }

    /// Hands engine output to the scheduler (see `OutputRouter`) and feeds capture and subscribers.
    func applyOutput(_ output: EngineOutput, now: Int64) {
        guard let scheduler = currentSession?.scheduler else { return }
        // Passed-through events were captured and published as input when they arrived.
        for event in OutputRouter.route(output, now: now, to: scheduler, counting: &report) where event.isGenerated {
            let bytes = event.bytes
            capture.append(frame: event.frame, bytes: bytes, isMachine: true)
            if bytes.isNoteOn || bytes.isNoteOff {
                publish(.note(.init(direction: .outgoing, channel: Int(bytes.channel) + 1, pitch: Int(bytes.data1),
                                    velocity: bytes.isNoteOn ? Int(bytes.data2) : 0, frame: Int(event.frame))))
            }
        }
    }

    /// Control commands keep working while JACK is away (status, presets, parameters).
    private func serveControlWhileWaiting(seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        let engine = self.engine ?? makeEngine(sampleRate: 48_000, bufferSize: 128)
        while Date() < deadline, !stopRequested {
            runJobs(engine: engine, now: 0)
            usleep(20_000)
        }
    }

    /// Runs waiting control commands between two engine steps, for at most about 0.3 ms a loop
    /// (one at least): the engine comes first, so a flood of commands waits for later loops
    /// instead of making the answers late.
    private func runJobs(engine: Engine, now: Int64) {
        let started = DispatchTime.now().uptimeNanoseconds
        var context: WorkerContext? = nil
        while let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            let current = context ?? WorkerContext(instance: self, engine: engine, session: currentSession, now: now)
            context = current
            report.controlCommands += 1
            job.reply(job.work(current))
            if DispatchTime.now().uptimeNanoseconds - started > Self.jobBudgetNanoseconds { return }
        }
    }

    private static let jobBudgetNanoseconds: UInt64 = 300_000

    /// The worker loop for one connection.
    private func serve(_ session: any MIDISession) {
        let scheduler = session.scheduler
        var period = Int64(session.bufferSize)
        var sampleRate = session.sampleRate
        let engine = makeEngine(sampleRate: sampleRate, bufferSize: Int(period))
        var lastWatchdog = Date.distantPast
        var lastTransport = Date.distantPast
        var lastHousekeeping = Date.distantPast
        var lastXruns = session.xrunCount
        let watchdogInterval = host?.watchdogInterval ?? 5

        while !stopRequested, !session.isGone {
            if Date().timeIntervalSince(lastHousekeeping) > 0.01 {
                lastHousekeeping = Date()
                for line in session.housekeeping() { log.info(name == Daemon.instanceName ? line : "[\(name)] \(line)") }
                for (parameter, value) in session.parameterChanges() where engine.value(of: parameter) != value {
                    engine.set(parameter, value)
                    applyOutput(engine.advance(to: session.nextCycle), now: session.nextCycle)
                    publish(.param(parameter, value))
                }
                // JACK may change its period or rate while we run (jack_bufsize): follow it.
                if Int64(session.bufferSize) != period || session.sampleRate != sampleRate {
                    period = Int64(session.bufferSize)
                    sampleRate = session.sampleRate
                    _ = makeEngine(sampleRate: sampleRate, bufferSize: Int(period))
                }
            }
            let loopStart = DispatchTime.now().uptimeNanoseconds
            var received = false
            while let input = session.popInput() {
                received = true
                report.inputs += 1
                capture.append(frame: input.frame, bytes: input.bytes, isMachine: false)
                if input.bytes.isNoteOn || input.bytes.isNoteOff {
                    publish(.note(.init(direction: .incoming, channel: Int(input.bytes.channel) + 1, pitch: Int(input.bytes.data1),
                                                                           velocity: input.bytes.isNoteOn ? Int(input.bytes.data2) : 0, frame: Int(input.frame))))
                }
                engine.receive(input.bytes, at: input.frame)
            }
            let now = session.nextCycle
            if engine.configuration.tempoSource == .transport, Date().timeIntervalSince(lastTransport) > 0.01 {
                lastTransport = Date()
                if let transport = session.transportPosition() {
                    engine.receiveTransport(rolling: transport.rolling, bpm: transport.bpm, beat: transport.beat, at: now)
                }
            }
            applyOutput(engine.advance(to: now), now: now)
            if received { publishListening(engine) }
            if let latency = engine.status.counters.lastResponseLatency, latency != lastLatency {
                lastLatency = latency
                _ = latencies.record(UInt64(max(0, latency)))
            }
            runJobs(engine: engine, now: session.nextCycle)
            report.workerMaxMicroseconds = max(report.workerMaxMicroseconds, Int((DispatchTime.now().uptimeNanoseconds - loopStart) / 1000))
            if session.xrunCount != lastXruns {
                publish(.xrun(count: session.xrunCount - lastXruns))
                lastXruns = session.xrunCount
            }
            if Date().timeIntervalSince(lastWatchdog) > watchdogInterval {
                lastWatchdog = Date()
                host?.instanceAlive(self)
                collectCounters(session: session, engine: engine)
            }
            // Poll fast: an input must be answered within the period it arrived in.
            if !received { usleep(200) }
        }
        collectCounters(session: session, engine: engine)
        if stopRequested, !session.isGone {
            let end = session.nextCycle
            applyOutput(engine.shutdown(at: end), now: end)
            waitForScheduler(session, periods: 4)
            scheduler.panic()
            waitForScheduler(session, periods: 2)
            collectCounters(session: session, engine: engine)
            log.info("stopped: machine notes released, all notes off sent")
        }
    }

    private func waitForScheduler(_ session: any MIDISession, periods: Int) {
        let seconds = Double(periods * session.bufferSize) / Double(max(session.sampleRate, 1))
        let deadline = Date().addingTimeInterval(max(seconds, 0.005) + 0.05)
        while Date() < deadline, !session.isGone, session.scheduler.queuedEvents > 0 { usleep(1000) }
        usleep(UInt32(seconds * 1e6) + 1000)
    }

    private func collectCounters(session: any MIDISession, engine: Engine) {
        let stats = session.scheduler.stats
        report.written = stats.written
        report.droppedOutputs = stats.dropped + session.droppedOutputs
        report.lateOutputs = stats.late
        report.lateMaxFrames = stats.lateMaxFrames
        report.droppedInputs = session.droppedInputs
        report.xruns = session.xrunCount
        let counters = engine.status.counters
        report.generatedEvents = counters.generatedEvents
        report.rollbacks = counters.rollbacks
        report.reprimes = counters.reprimes
    }

    static func residentMemoryKB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
