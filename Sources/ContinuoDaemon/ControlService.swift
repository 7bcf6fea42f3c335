import ContinuoFiles
import ContinuoProtocol
import Foundation
import Synchronization

/// The control thread: greets clients, parses their lines, answers what needs no engine
/// (ping, version, subscriptions, preset list) at once, prepares heavy work (reading a preset
/// or a model) here rather than on the worker, and passes the rest to the daemon's worker.
/// Events go to each subscriber through a bounded, coalescing queue; a flood of requests past
/// the rate limit is shed with `overloaded`.
final class ControlService: @unchecked Sendable {
    struct ClientState {
        var subscription = Subscription()
        var events = EventQueue()
        var bucket = TokenBucket()
    }

    let server: ControlSocketServer
    private unowned let daemon: Daemon
    private let log: Log
    private let clients = Mutex<[ControlSocketServer.ClientID: ClientState]>([:])
    private let stopped = Atomic<Bool>(false)
    private let loading = Atomic<Bool>(false)
    private var thread: Thread?
    /// Clients on another transport (the web page's WebSockets): how to reach each. Their ids
    /// start far above the socket server's.
    private let remote = Mutex<[ControlSocketServer.ClientID: @Sendable (String) -> Bool]>([:])
    private let nextRemote = Atomic<Int>(1 << 40)
    /// Events published since the control thread last looked; bounded, so a stalled control
    /// thread costs events (counted), never memory or the publisher's time.
    private let handOff = Mutex<[Event]>([])
    private var spareHandOff: [Event] = []
    private let shedEvents = Atomic<Int>(0)
    static let handOffCapacity = 4096
    /// Answers of commands the worker has run, waiting for the control thread to encode and
    /// send them: the worker never formats JSON or touches a transport's queue (a WebSocket's
    /// stream takes locks that threads without real-time priority hold).
    private let answered = Mutex<[(id: ControlSocketServer.ClientID, request: Request, outcome: Result<JSONValue, ProtocolError>)]>([])

    init(server: ControlSocketServer, daemon: Daemon, log: Log) {
        self.server = server
        self.daemon = daemon
        self.log = log
        server.onConnect = { [weak self] id in
            self?.clients.withLock { $0[id] = ClientState() }
            self?.send(id, Hello().line)
        }
        server.onDisconnect = { [weak self] id in
            _ = self?.clients.withLock { $0.removeValue(forKey: id) }
        }
        server.onLine = { [weak self] id, output in self?.handle(id, output) }
        server.onTick = { [weak self] in self?.deliverEvents() }
    }

    func start() {
        let thread = Thread { [self] in server.run(until: { self.stopped.load(ordering: .relaxed) }) }
        thread.name = "continuo-control"
        self.thread = thread
        thread.start()
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        server.wake()
        while thread?.isExecuting == true { usleep(5_000) }
        server.close()
    }

    /// Sends to a socket client or a remote one; a full or gone client drops the line.
    @discardableResult
    private func send(_ id: ControlSocketServer.ClientID, _ line: String) -> Bool {
        if let deliver = remote.withLock({ $0[id] }) { return deliver(line) }
        return server.send(id, line)
    }

    /// A client on another transport: `deliver` takes each line for it (and must never block;
    /// false when its queue is full); the returned session takes its lines in.
    func connectRemote(_ deliver: @escaping @Sendable (String) -> Bool) -> ControlSession {
        let id = nextRemote.wrappingAdd(1, ordering: .relaxed).newValue
        remote.withLock { $0[id] = deliver }
        clients.withLock { $0[id] = ClientState() }
        send(id, Hello().line)
        return ControlSession(service: self, id: id)
    }

    fileprivate func receive(_ id: ControlSocketServer.ClientID, line: [UInt8]) {
        handle(id, line.count > Limits.maxLineBytes ? .tooLong : .line(line))
    }

    fileprivate func disconnect(_ id: ControlSocketServer.ClientID) {
        remote.withLock { _ = $0.removeValue(forKey: id) }
        clients.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// From any thread, the worker's included: only appends to the hand-off, so the cost to the
    /// publisher does not grow with the number of clients (100 browsers subscribed cost the
    /// worker what one does). The control thread fans the events out to each subscriber.
    func publish(_ event: Event) {
        let wasEmpty = handOff.withLock { pending -> Bool in
            guard pending.count < Self.handOffCapacity else {
                shedEvents.wrappingAdd(1, ordering: .relaxed)
                return false
            }
            pending.append(event)
            return pending.count == 1
        }
        if wasEmpty { server.wake() }
    }

    private func deliverEvents() {
        for answer in answered.withLock({ pending in defer { pending.removeAll(keepingCapacity: true) }; return pending }) {
            reply(answer.id, answer.request, answer.outcome)
        }
        var arrived = spareHandOff
        arrived.removeAll(keepingCapacity: true)
        handOff.withLock { swap(&$0, &arrived) }
        let shed = shedEvents.exchange(0, ordering: .relaxed)
        if shed > 0 { log.warning("control thread fell behind: \(shed) events were not delivered to subscribers") }
        if !arrived.isEmpty {
            clients.withLock { states in
                for event in arrived {
                    for id in states.keys where states[id]!.subscription.wants(event) {
                        states[id]!.events.push(event)
                    }
                }
            }
        }
        spareHandOff = arrived
        let batches = clients.withLock { states -> [(ControlSocketServer.ClientID, [Event])] in
            states.keys.compactMap { id in
                let events = states[id]!.events.drain(limit: 256)
                return events.isEmpty ? nil : (id, events)
            }
        }
        for (id, events) in batches {
            for event in events { send(id, event.line) }
        }
    }

    private func reply(_ id: ControlSocketServer.ClientID, _ request: Request, _ outcome: Result<JSONValue, ProtocolError>) {
        send(id, Reply.answer(request, with: outcome).line)
    }

    private func handle(_ id: ControlSocketServer.ClientID, _ output: LineFramer.Output) {
        let line: [UInt8]
        switch output {
        case .tooLong:
            send(id, Reply.failure(ProtocolError(.lineTooLong, "request line longer than \(Limits.maxLineBytes) bytes; skipped to its end")).line)
            return
        case let .line(bytes):
            line = bytes
        }
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let admitted = clients.withLock { $0[id]?.bucket.admit(atNanoseconds: now) ?? false }
        let request: Request
        switch RequestParser.parse(line: line) {
        case let .failure(error):
            send(id, Reply.failure(error).line)
            return
        case let .success(parsed):
            request = parsed
        }
        guard admitted else {
            reply(id, request, .failure(ProtocolError(.overloaded, "more than \(Int(Limits.requestsPerSecond)) requests per second; this one was shed")))
            return
        }
        guard let target = daemon.instance(named: request.instance) else {
            let known = daemon.instances.map(\.name).joined(separator: ", ")
            reply(id, request, .failure(ProtocolError(.unknownInstance, "no instance '\(request.instance ?? "")' (instances: \(known))")))
            return
        }
        switch request.command {
        case .ping:
            reply(id, request, .success("pong"))
        case .version:
            reply(id, request, .success(["protocol": .int(ProtocolVersion.current), "version": .string(ProtocolVersion.serverVersion)]))
        case let .subscribe(topics):
            let now = clients.withLock { states -> Set<Topic> in
                states[id]?.subscription.subscribe(topics)
                return states[id]?.subscription.topics ?? []
            }
            reply(id, request, .success(["topics": .array(now.sorted().map { .string($0.rawValue) })]))
        case let .unsubscribe(topics):
            let now = clients.withLock { states -> Set<Topic> in
                states[id]?.subscription.unsubscribe(topics)
                return states[id]?.subscription.topics ?? []
            }
            reply(id, request, .success(["topics": .array(now.sorted().map { .string($0.rawValue) })]))
        case .presetList:
            reply(id, request, .success(["presets": .array(PresetLoader.presetNames().map { .string($0) })]))
        case let .rate(path, rating):
            reply(id, request, Self.rate(path, Rating(rawValue: rating) ?? .like))
        case .instanceList:
            reply(id, request, .success(["instances": .array(daemon.instances.map(\.instanceSummary))]))
        case let .instanceAdd(name, presetName):
            do {
                let loaded = try presetName.map { try PresetLoader.load(nameOrPath: $0) } ?? (preset: daemon.options.preset, path: daemon.options.presetPath)
                let added = try daemon.addInstance(name: name, preset: loaded.preset, presetPath: loaded.path)
                reply(id, request, .success(["instance": .string(added.name), "preset": .string(loaded.preset.name)]))
            } catch Daemon.InstanceError.exists(let name) {
                reply(id, request, .failure(ProtocolError(.instanceExists, "an instance named '\(name)' is already running")))
            } catch let error as PresetError {
                reply(id, request, .failure(ProtocolError(error.message.hasPrefix("no such preset") ? .notFound : .presetInvalid, error.description)))
            } catch {
                reply(id, request, .failure(ProtocolError(.modelInvalid, "cannot start instance '\(name)': \(error)")))
            }
        case let .instanceRemove(name):
            // Stopping releases the instance's notes and waits for it: off this thread.
            let daemon = self.daemon
            DispatchQueue.global().async { [weak self] in
                do {
                    try daemon.removeInstance(name: name)
                    self?.reply(id, request, .success(["instance": .string(name)]))
                } catch Daemon.InstanceError.isFirst {
                    self?.reply(id, request, .failure(ProtocolError(.invalidState, "the first instance ('\(Daemon.instanceName)') stays while the daemon runs")))
                } catch {
                    self?.reply(id, request, .failure(ProtocolError(.unknownInstance, "no instance '\(name)'")))
                }
            }
        case let .presetLoad(name):
            // Parse and validate here, off the worker; the worker only swaps the settings in.
            do {
                let loaded = try PresetLoader.load(nameOrPath: name)
                submit(id, request, to: target) { $0.apply(preset: loaded.preset) }
            } catch let error as PresetError {
                reply(id, request, .failure(ProtocolError(error.message.hasPrefix("no such preset") ? .notFound : .presetInvalid, error.description)))
            } catch {
                reply(id, request, .failure(ProtocolError(.presetInvalid, "\(error)")))
            }
        case let .modelLoad(path):
            // Loading and checking a model takes tens of milliseconds: off the worker and off
            // this thread; one load at a time.
            guard !loading.exchange(true, ordering: .acquiringAndReleasing) else {
                reply(id, request, .failure(ProtocolError(.busy, "another model is being loaded; try again when it is done")))
                return
            }
            DispatchQueue.global().async { [self] in
                defer { loading.store(false, ordering: .releasing) }
                do {
                    let inference = UncheckedBox(try target.loadInference(path))
                    submit(id, request, to: target) { $0.swap(inference.value, path: path) }
                } catch {
                    reply(id, request, .failure(ProtocolError(.modelInvalid, "\(error); the current model stays")))
                }
            }
        default:
            let command = request.command
            submit(id, request, to: target) { $0.perform(command) }
        }
    }

    /// Copies a captured phrase into the keepers folder (once) and writes its rating there. Only
    /// captures and keepers qualify: a client cannot have the daemon copy other files.
    static func rate(_ path: String, _ rating: Rating) -> Result<JSONValue, ProtocolError> {
        let source = URL(fileURLWithPath: path).standardizedFileURL.path
        let captures = PresetLoader.captureFolder(), keepers = PresetLoader.keepersFolder()
        guard source.hasPrefix(captures + "/") || source.hasPrefix(keepers + "/"), source.hasSuffix(".mid") else {
            return .failure(ProtocolError(.outOfRange, "only captured phrases (\(captures)/….mid) can be rated"))
        }
        guard FileManager.default.fileExists(atPath: source) else { return .failure(ProtocolError(.notFound, "no phrase at \(source)")) }
        let kept = source.hasPrefix(keepers + "/") ? source : keepers + "/" + (source as NSString).lastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: keepers, withIntermediateDirectories: true)
            if kept != source, !FileManager.default.fileExists(atPath: kept) {
                try FileManager.default.copyItem(atPath: source, toPath: kept)
                if FileManager.default.fileExists(atPath: source + ".performer.json") {
                    try? FileManager.default.copyItem(atPath: source + ".performer.json", toPath: kept + ".performer.json")
                }
            }
            try rating.write(for: kept)
        } catch {
            return .failure(ProtocolError(.ioError, "cannot keep \(source) in \(keepers): \(error)"))
        }
        return .success(["kept": .string(kept), "rating": .string(rating.rawValue)])
    }

    /// On the worker: the answer waits for the control thread, which is woken for it.
    private func handBack(_ id: ControlSocketServer.ClientID, _ request: Request, _ outcome: Result<JSONValue, ProtocolError>) {
        let wasEmpty = answered.withLock { pending -> Bool in
            pending.append((id, request, outcome))
            return pending.count == 1
        }
        if wasEmpty { server.wake() }
    }

    /// Hands work to the worker; its answer is sent when done. Sheds when the worker is behind.
    private func submit(_ id: ControlSocketServer.ClientID, _ request: Request, to instance: Instance,
                        _ work: @escaping @Sendable (WorkerContext) -> Result<JSONValue, ProtocolError>) {
        let accepted = instance.enqueue(work) { [weak self] outcome in self?.handBack(id, request, outcome) }
        if !accepted {
            reply(id, request, .failure(ProtocolError(.overloaded, "the worker has too many commands waiting; this one was shed")))
        }
    }
}

/// Hands a freshly built, not yet shared object to the worker thread; after the hand-over only
/// the worker touches it.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// One client of the control protocol on a transport other than the Unix socket (a WebSocket):
/// the same parser, rate limit, subscriptions, bounded event queue and errors.
public final class ControlSession: @unchecked Sendable {
    private weak var service: ControlService?
    private let id: ControlSocketServer.ClientID

    fileprivate init(service: ControlService, id: ControlSocketServer.ClientID) {
        self.service = service
        self.id = id
    }

    /// One request line, as the socket's framer would pass it.
    public func receive(_ line: String) { service?.receive(id, line: Array(line.utf8)) }

    public func close() { service?.disconnect(id) }

    deinit { close() }
}
