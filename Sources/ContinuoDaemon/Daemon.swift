import ContinuoEngine
import ContinuoJACK
import ContinuoModel
import ContinuoOffline
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The long-running accompanist: connects to JACK (and keeps reconnecting while the server
/// is away), feeds the performer's events to the engine on a worker loop, and hands what the
/// engine plays to the real-time scheduler. Stops gracefully on request (SIGTERM, SIGINT):
/// machine notes are released, all notes off is sent, then the client leaves JACK.
public final class Daemon: @unchecked Sendable {
    public struct Options: Sendable {
        public var preset: Preset
        public var presetPath: String
        public var modelPath: String
        public var jackServer: String?
        public var seed: UInt64 = 1

        public init(preset: Preset, presetPath: String, modelPath: String, jackServer: String?) {
            self.preset = preset
            self.presetPath = presetPath
            self.modelPath = modelPath
            self.jackServer = jackServer
        }
    }

    /// Totals printed when the daemon stops (the latency harness reads them).
    public struct Report: Sendable, Codable {
        public var connections = 0
        public var inputs = 0
        public var droppedInputs = 0
        public var xruns = 0
        public var scheduled = 0
        public var written = 0
        public var droppedOutputs = 0
        public var lateOutputs = 0
        public var lateMaxFrames = 0
        public var flushes = 0
        public var generatedEvents = 0
        public var rollbacks = 0
        public var reprimes = 0
        public var residentMemoryKB = 0
        /// Worker time spent in the engine per loop, microseconds.
        public var engineMaxMicroseconds = 0
        public var engineMeanMicroseconds = 0
        public var inputPickupMaxMicroseconds = 0
    }

    public let options: Options
    public let log: Log
    private let stopFlag = Atomic<Bool>(false)
    private let notifier = SystemdNotifier()
    private var engine: Engine?
    private var inference: LSTMInference
    public private(set) var report = Report()

    public init(options: Options, log: Log) throws {
        self.options = options
        self.log = log
        let model = try ModelStore.load(options.modelPath)
        inference = LSTMInference(model: model, precision: .int8, maxBatch: 8)
        BLASThreads.set(1)
    }

    public func requestStop() { stopFlag.store(true, ordering: .relaxed) }
    private var stopRequested: Bool { stopFlag.load(ordering: .relaxed) }

    /// Runs until a stop is requested. Never returns early because JACK is missing: it waits.
    public func run() -> Report {
        raiseWorkerPriority()
        var backoff = 0.25
        var announced = false
        while !stopRequested {
            do {
                let session = try JackSession(options: options, log: log)
                report.connections += 1
                backoff = 0.25
                let status = "connected to JACK\(options.jackServer.map { " server '\($0)'" } ?? ""): \(session.client.sampleRate) Hz, \(session.client.bufferSize) frames per period; mode \(options.preset.engine.mode)"
                log.info(status)
                if !announced {
                    notifier.ready(status: status)
                    announced = true
                } else {
                    notifier.status(status)
                }
                serve(session)
                if session.client.serverGone, !stopRequested {
                    log.warning("the JACK server went away; reconnecting (machine notes sounding there are gone with it)")
                    notifier.status("JACK server gone; reconnecting")
                }
                session.close(log: log)
            } catch {
                log.warning("JACK is not available (\(error)); retrying in \(backoff) s")
                notifier.status("waiting for JACK: \(error)")
                sleepInterruptibly(seconds: backoff)
                backoff = min(backoff * 2, 5)
            }
        }
        notifier.stopping()
        report.residentMemoryKB = Self.residentMemoryKB()
        return report
    }

    private func makeEngine(for session: JackSession) -> Engine {
        let configuration = options.preset.engineConfiguration(sampleRate: session.client.sampleRate, bufferSize: session.client.bufferSize)
        if let engine {
            engine.set(configuration: configuration)
            return engine
        }
        let created = Engine(inference: inference, configuration: configuration, seed: options.seed)
        engine = created
        return created
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

    /// The worker loop for one connection.
    private func serve(_ session: JackSession) {
        let engine = makeEngine(for: session)
        let client = session.client
        let monitor = client.monitor
        let scheduler = session.scheduler
        let period = Int64(client.bufferSize)
        var lastWatchdog = Date.distantPast
        var engineLoops = 0, engineTotal = 0, pickupTotal = 0
        var passThrough = PassThrough()
        let effectThrough = options.preset.engine.effectThrough
        let boundControllers = Set(engine.configuration.controls.map(\.controller))
        var lastTransport = Date.distantPast
        let watchdogInterval = notifier.watchdogMicroseconds.map { Double($0) / 2e6 } ?? 5

        func nextCycle() -> Int64 { monitor.lastCycleStart &+ period }

        func apply(_ output: EngineOutput, earliest: Int64) {
            if output.flush {
                scheduler.flush()
                report.flushes += 1
            }
            for event in output.events {
                let (status, data1, data2) = event.bytes
                let bytes = MIDIBytes(status: status, data1: data1, data2: data2, count: MIDIBytes.length(ofStatus: status))
                let frame = max(event.frame, earliest)
                if scheduler.schedule(ScheduledMIDI(frame: frame, generation: scheduler.currentGeneration, bytes: bytes)) {
                    report.scheduled += 1
                }
            }
        }

        while !stopRequested, !client.serverGone {
            var received = false
            while let input = session.bridge.inputs.pop() {
                received = true
                report.inputs += 1
                let pickup = Int(client.absoluteFrameTime &- input.frame)
                pickupTotal += pickup
                report.inputPickupMaxMicroseconds = max(report.inputPickupMaxMicroseconds, pickup)
                report.engineMeanMicroseconds = pickupTotal / report.inputs
                if let through = passThrough.route(input.bytes, effectMode: engine.configuration.mode == .effect && effectThrough,
                                                   boundControllers: boundControllers) {
                    if scheduler.schedule(ScheduledMIDI(frame: max(input.frame &+ period, nextCycle()), generation: scheduler.currentGeneration, bytes: through)) {
                        report.scheduled += 1
                    }
                }
                let bytes = [input.bytes.status, input.bytes.data1, input.bytes.data2].prefix(Int(input.bytes.count))
                if let event = InputEvent(midi: bytes) { engine.receive(event, at: input.frame) }
            }
            let loopStart = DispatchTime.now().uptimeNanoseconds
            let now = nextCycle()
            if engine.configuration.tempoSource == .transport, Date().timeIntervalSince(lastTransport) > 0.01 {
                lastTransport = Date()
                if let transport = client.transport(), let bbt = transport.bbt {
                    let beat = Double(bbt.bar - 1) * Double(bbt.beatsPerBar) + Double(bbt.beat - 1) + Double(bbt.tick) / bbt.ticksPerBeat
                    engine.receive(.transport(rolling: transport.isRolling, bpm: bbt.beatsPerMinute, beat: beat), at: now)
                }
            }
            apply(engine.advance(to: now), earliest: now)
            let spent = Int((DispatchTime.now().uptimeNanoseconds - loopStart) / 1000)
            engineLoops += 1
            engineTotal += spent
            report.engineMaxMicroseconds = max(report.engineMaxMicroseconds, spent)
            if Date().timeIntervalSince(lastWatchdog) > watchdogInterval {
                lastWatchdog = Date()
                notifier.watchdog()
            }
            // Poll fast: an input must be answered within the period it arrived in.
            if !received { usleep(200) }
        }
        collectCounters(session: session, engine: engine)
        if stopRequested, !client.serverGone {
            let end = nextCycle()
            apply(engine.shutdown(at: end), earliest: end)
            for off in passThrough.releaseAll() {
                _ = scheduler.schedule(ScheduledMIDI(frame: end, generation: scheduler.currentGeneration, bytes: off))
            }
            waitForScheduler(scheduler, client: client, periods: 4)
            scheduler.panic()
            waitForScheduler(scheduler, client: client, periods: 2)
            collectCounters(session: session, engine: engine)
            log.info("stopped: machine notes released, all notes off sent")
        }
    }

    private func waitForScheduler(_ scheduler: MIDIOutputScheduler, client: JackClient, periods: Int) {
        let seconds = Double(periods * client.bufferSize) / Double(max(client.sampleRate, 1))
        let deadline = Date().addingTimeInterval(max(seconds, 0.005) + 0.05)
        while Date() < deadline, !client.serverGone {
            if scheduler.queuedEvents == 0 && periods <= 2 { break }
            usleep(1000)
        }
        usleep(UInt32(seconds * 1e6) + 1000)
    }

    private func collectCounters(session: JackSession, engine: Engine) {
        let stats = session.scheduler.stats
        report.written = stats.written
        report.droppedOutputs = stats.dropped + session.client.droppedOutputEvents
        report.lateOutputs = stats.late
        report.lateMaxFrames = stats.lateMaxFrames
        report.droppedInputs = session.bridge.droppedInputCount + session.client.skippedInputEvents
        report.xruns = session.client.xrunCount
        let counters = engine.status.counters
        report.generatedEvents = counters.generatedEvents
        report.rollbacks = counters.rollbacks
        report.reprimes = counters.reprimes
    }

    private func sleepInterruptibly(seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !stopRequested { usleep(20_000) }
    }

    static func residentMemoryKB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}
