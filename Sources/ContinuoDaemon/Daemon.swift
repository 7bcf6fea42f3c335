import ContinuoProtocol
import Foundation
import Synchronization

/// The daemon: hosts one or more generator instances (the first is `main`), serves the
/// control socket, and speaks to systemd. SIGTERM or SIGINT stop every instance gracefully.
public final class Daemon: @unchecked Sendable {
    public static let instanceName = "main"

    public struct Options: Sendable {
        public var preset: Preset
        public var presetPath: String
        public var modelPath: String
        public var jackServer: String?
        /// nil: the preset's. `auto` with a named JACK server means JACK.
        public var backend: Backend?
        /// Ports to connect besides the preset's (`--connect-in`, `--connect-out`), on whichever
        /// backend runs.
        public var connectInput: [String] = []
        public var connectOutput: [String] = []
        public var seed: UInt64 = 1
        /// The control socket; nil: none.
        public var socketPath: String?
        public var socketGroup: String?

        public init(preset: Preset, presetPath: String, modelPath: String, jackServer: String?) {
            self.preset = preset
            self.presetPath = presetPath
            self.modelPath = modelPath
            self.jackServer = jackServer
        }
    }

    /// Totals printed when the daemon stops (the latency harness reads them).
    public struct Report: Sendable, Codable {
        /// The backend of the latest connection ("jack", "alsa"), empty before any.
        public var backend = ""
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
        public var controlCommands = 0
        public var controlShed = 0
        /// Worker time per loop, microseconds.
        public var workerMaxMicroseconds = 0
    }

    public let options: Options
    public let log: Log
    private let notifier = SystemdNotifier()
    private var control: ControlService?
    private let main: Instance
    /// Added instances and their threads, in the order they were added.
    private let added = Mutex<[Added]>([])

    /// An added instance and the thread its worker runs on.
    private struct Added: @unchecked Sendable {
        let instance: Instance
        let thread: Thread
    }

    public init(options: Options, log: Log) throws {
        self.options = options
        self.log = log
        main = try Instance(name: Self.instanceName, options: options, log: log, host: nil)
        main.host = self
        if let path = options.socketPath {
            let server = try ControlSocketServer(path: path, group: options.socketGroup, log: log)
            control = ControlService(server: server, daemon: self, log: log)
        }
    }

    /// A control-protocol client on another transport (the web page), or nil when the daemon
    /// runs without its control socket (whose thread also delivers these clients' events).
    public func connectControlClient(_ deliver: @escaping @Sendable (String) -> Bool) -> ControlSession? {
        control?.connectRemote(deliver)
    }

    /// Whether the control socket (and its thread) runs.
    public var servesControl: Bool { control != nil }

    /// The model the first instance plays (for the page's model card).
    public var modelPath: String { main.playing.model }

    public func requestStop() {
        main.requestStop()
        for entry in added.withLock({ $0 }) { entry.instance.requestStop() }
    }

    /// Runs the first instance on this thread until a stop is requested; returns its report.
    public func run() -> Report {
        control?.start()
        if let path = options.socketPath { log.info("control socket: \(path)") }
        let report = main.run()
        for entry in added.withLock({ $0 }) {
            entry.instance.requestStop()
            while entry.thread.isExecuting { usleep(5_000) }
        }
        notifier.stopping()
        control?.stop()
        return report
    }

    // MARK: Instances

    var instances: [Instance] { [main] + added.withLock { $0.map(\.instance) } }

    /// The instance a command addresses: the first when no name is given.
    func instance(named name: String?) -> Instance? {
        guard let name else { return main }
        return instances.first { $0.name == name }
    }

    enum InstanceError: Error {
        case exists(String)
        case unknown(String)
        case isFirst
    }

    /// Starts another generator with its own JACK client (named after the preset's, suffixed
    /// with the instance name when that is taken), model and parameters, on its own worker.
    func addInstance(name: String, preset: Preset, presetPath: String) throws -> Instance {
        if instance(named: name) != nil { throw InstanceError.exists(name) }
        var options = self.options
        options.preset = preset
        options.presetPath = presetPath
        options.socketPath = nil
        // Each instance's client name is fixed when it starts: read from its options, not its
        // worker's preset.
        let taken = Set(instances.map(\.options.preset.jack.clientName))
        if taken.contains(options.preset.jack.clientName) { options.preset.jack.clientName += "-\(name)" }
        if preset.model != "default" {
            let relative = preset.model
            options.modelPath = relative.hasPrefix("/") ? relative : ((presetPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(relative)
        }
        let instance = try Instance(name: name, options: options, log: log, host: self)
        let thread = Thread { _ = instance.run() }
        thread.name = "continuo-\(name)"
        added.withLock { $0.append(Added(instance: instance, thread: thread)) }
        thread.start()
        log.info("instance '\(name)' added (preset \(preset.name), client \(options.preset.jack.clientName))")
        return instance
    }

    /// Stops an added instance gracefully (its notes are released) and forgets it.
    func removeInstance(name: String) throws {
        if name == Self.instanceName { throw InstanceError.isFirst }
        guard let entry = added.withLock({ $0.first { $0.instance.name == name } }) else { throw InstanceError.unknown(name) }
        entry.instance.requestStop()
        let deadline = Date().addingTimeInterval(10)
        while entry.thread.isExecuting, Date() < deadline { usleep(5_000) }
        added.withLock { $0.removeAll { $0.instance === entry.instance } }
        log.info("instance '\(name)' removed")
    }

    // MARK: For instances

    func publish(_ event: Event) { control?.publish(event) }

    var watchdogInterval: Double { notifier.watchdogMicroseconds.map { Double($0) / 2e6 } ?? 5 }

    func instanceConnected(_ instance: Instance, status: String, first: Bool) {
        guard instance === main else { return }
        if first { notifier.ready(status: status) } else { notifier.status(status) }
    }

    func instanceStatus(_ instance: Instance, _ status: String) {
        if instance === main { notifier.status(status) }
    }

    func instanceAlive(_ instance: Instance) {
        if instance === main { notifier.watchdog() }
    }
}

extension Daemon.Options {
    /// The backend to play on: the command line's, else the preset's; `auto` with a JACK server
    /// named on the command line means that server.
    public var chosenBackend: Backend {
        let wanted = backend ?? preset.backend
        return wanted == .auto && jackServer != nil ? .jack : wanted
    }
}
