import CJack
#if canImport(Glibc)
import Glibc  // EEXIST
#endif

/// One JACK client: open, register MIDI ports, activate with a `RealtimeProcessor`, connect.
///
/// **Threading.** A `JackClient` belongs to one non-real-time owner (a thread or an actor): it
/// is deliberately not `Sendable`, because opening, activating and closing must not race. The
/// owner's processor runs on JACK's RT thread; counters and flags that other threads need are
/// on `monitor`, a `Sendable` view backed by atomics.
///
/// **Server shutdown.** If jackd goes away, `serverGone` becomes true (set from JACK's shutdown
/// callback). The client is then dead for good: JACK will never call it again and it cannot be
/// reactivated. The owner must `close()` it and open a new `JackClient` (re-registering ports
/// and re-making connections) once a server is back — that is the daemon's reconnect path.
public final class JackClient {
    /// MIDI output ports one client can register (the RT thread clears them from a fixed table).
    public static let maxOutputPorts = ClientContext.maxOutputPorts

    /// The name JACK gave the client (equal to the requested one: we open with JackUseExactName).
    public let name: String
    /// The server this client was opened on (nil: the default server).
    public let serverName: String?

    private var handle: OpaquePointer?
    let context: ClientContext
    private let contextRef: Unmanaged<ClientContext>
    /// Strong reference that keeps the processor alive while the RT thread uses its
    /// `unowned(unsafe)` copy in `context`.
    private var processorSlot: ProcessorSlot?
    private var outputNames: [OpaquePointer] = []
    public private(set) var isActive = false

    /// Opens a client with `JackNoStartServer | JackUseExactName` on `server` (nil: default).
    /// Never starts a server: a missing server is an `.openFailed` with `.serverFailed` set.
    /// Also set the environment variable `JACK_NO_START_SERVER=1` in processes that must never
    /// autostart jackd (libjack consults it too).
    public init(name: String, server: String?) throws(JackError) {
        var status = jack_status_t(0)
        let options = jack_options_t(JackNoStartServer.rawValue | JackUseExactName.rawValue)
        let opened: OpaquePointer?
        if let server {
            opened = server.withCString { continuo_jack_client_open(name, options, &status, $0) }
        } else {
            opened = continuo_jack_client_open(name, options, &status, nil)
        }
        guard let client = opened else {
            throw .openFailed(name: name, server: server, status: JackStatus(status))
        }
        let context = ClientContext(client: client)
        let ref = Unmanaged.passRetained(context)
        let arg = ref.toOpaque()
        // Callbacks can only be installed while inactive, so all of them go in now.
        let results: [(String, Int32)] = [
            ("jack_set_process_callback", jack_set_process_callback(client, processTrampoline, arg)),
            ("jack_set_xrun_callback", jack_set_xrun_callback(client, xrunTrampoline, arg)),
            ("jack_set_sample_rate_callback", jack_set_sample_rate_callback(client, sampleRateTrampoline, arg)),
            ("jack_set_buffer_size_callback", jack_set_buffer_size_callback(client, bufferSizeTrampoline, arg)),
            ("jack_set_latency_callback", jack_set_latency_callback(client, latencyTrampoline, arg)),
        ]
        jack_on_info_shutdown(client, shutdownTrampoline, arg)
        if let failed = results.first(where: { $0.1 != 0 }) {
            jack_client_close(client)
            ref.release()
            throw .callbackRegistrationFailed(callback: failed.0, code: failed.1)
        }
        context.sampleRate.store(Int(jack_get_sample_rate(client)), ordering: .releasing)
        context.bufferSize.store(Int(jack_get_buffer_size(client)), ordering: .releasing)
        self.handle = client
        self.context = context
        self.contextRef = ref
        self.name = jack_get_client_name(client).map { String(cString: $0) } ?? name
        self.serverName = server
    }

    deinit { close() }

    /// Closes the client (deactivating it first if needed). Idempotent. Safe after the server
    /// has shut down. After it returns JACK calls none of our callbacks, so the context and the
    /// processor are released here.
    public func close() {
        guard let client = handle else { return }
        handle = nil
        jack_client_close(client)
        isActive = false
        context.processor = nil
        processorSlot = nil
        contextRef.release()
    }

    public var isOpen: Bool { handle != nil }

    private func open() throws(JackError) -> OpaquePointer {
        guard let handle else { throw .clientClosed }
        return handle
    }

    // MARK: Ports

    /// Registers a MIDI input port named `name` (short name, without "client:").
    public func registerMIDIInput(name: String) throws(JackError) -> MIDIInputPort {
        let client = try open()
        guard let port = jack_port_register(client, name, JACK_DEFAULT_MIDI_TYPE,
                                            UInt(JackPortIsInput.rawValue), 0) else {
            throw .portRegistrationFailed(name: name)
        }
        context.latencyPorts.withLock { $0.inputs.append(port) }
        return MIDIInputPort(handle: port)
    }

    /// Registers a MIDI output port. Its buffer is cleared automatically at each cycle start.
    public func registerMIDIOutput(name: String) throws(JackError) -> MIDIOutputPort {
        let client = try open()
        let slot = context.outputCount.load(ordering: .relaxed)  // only the owner writes it
        guard slot < Self.maxOutputPorts else { throw .tooManyPorts(limit: Self.maxOutputPorts) }
        guard let port = jack_port_register(client, name, JACK_DEFAULT_MIDI_TYPE,
                                            UInt(JackPortIsOutput.rawValue), 0) else {
            throw .portRegistrationFailed(name: name)
        }
        // Write the slot, then publish the count: the RT thread may be running already.
        context.outputPorts[slot] = port
        context.outputCount.store(slot + 1, ordering: .releasing)
        context.latencyPorts.withLock { $0.outputs.append(port) }
        return MIDIOutputPort(handle: port)
    }

    // MARK: Activation

    /// Starts processing: from now on JACK calls `processor.process` on its RT thread each
    /// period. The client keeps a strong reference to `processor` until `deactivate`/`close`.
    public func activate(process processor: some RealtimeProcessor) throws(JackError) {
        let client = try open()
        guard !isActive else { throw .alreadyActive }
        let slot = TypedProcessorSlot(processor)
        processorSlot = slot
        // Plain store: jack_activate below is a round trip to the server that happens-before
        // the first process cycle, which orders this write before any RT read.
        context.processor = Unmanaged.passUnretained(slot)
        let rc = jack_activate(client)
        guard rc == 0 else {
            context.processor = nil
            processorSlot = nil
            throw .activateFailed(code: rc)
        }
        isActive = true
    }

    /// Stops processing. When it returns the RT thread no longer runs our callback, so the
    /// processor is released.
    public func deactivate() throws(JackError) {
        let client = try open()
        guard isActive else { return }
        let rc = jack_deactivate(client)
        isActive = false
        guard rc == 0 else { throw .deactivateFailed(code: rc) }
        context.processor = nil
        processorSlot = nil
    }

    // MARK: Timing

    /// Server sample rate, kept current by the sample-rate callback.
    public var sampleRate: Int { context.sampleRate.load(ordering: .acquiring) }
    /// Frames per period, kept current by the buffer-size callback.
    public var bufferSize: Int { context.bufferSize.load(ordering: .acquiring) }

    /// `jack_frame_time`: the estimated current frame (raw 32-bit, wraps). Any thread; RT-safe.
    public var frameTime: UInt32 { handle.map { jack_frame_time($0) } ?? 0 }

    /// `frameTime` extended to the same 64-bit timeline as `ProcessCycle.firstFrame`; use it to
    /// compute absolute frames for `MIDIOutputScheduler`.
    public var absoluteFrameTime: Int64 { context.extend(raw: frameTime) }

    /// `jack_last_frame_time`: the frame at which the current (or latest) period started.
    /// Meant for the process thread; `ProcessCycle.firstFrame` is the 64-bit equivalent.
    public var lastFrameTime: UInt32 { handle.map { jack_last_frame_time($0) } ?? 0 }

    // MARK: Latency

    /// Extra latency in frames this client adds between its inputs and outputs (e.g. the
    /// accompanist's scheduling look-ahead). Setting it asks JACK to recompute latencies, which
    /// runs our latency callback on the notification thread; the callback publishes it on the
    /// output ports' capture range.
    public var outputLatency: Int {
        get { context.outputLatency.load(ordering: .acquiring) }
        set {
            context.outputLatency.store(max(0, newValue), ordering: .releasing)
            if let handle { jack_recompute_total_latencies(handle) }
        }
    }

    /// The latency range JACK currently holds for `port` (capture or playback direction).
    public func latencyRange(of port: MIDIOutputPort, capture: Bool = true) -> ClosedRange<Int> {
        var r = jack_latency_range_t()
        jack_port_get_latency_range(port.handle, capture ? JackCaptureLatency : JackPlaybackLatency, &r)
        return Int(r.min)...Int(max(r.min, r.max))
    }

    // MARK: Connections

    /// `jack_connect(source, destination)` with full port names ("client:port").
    /// Connecting an already connected pair succeeds.
    public func connect(_ source: String, _ destination: String) throws(JackError) {
        let client = try open()
        let rc = jack_connect(client, source, destination)
        guard rc == 0 || rc == EEXIST else {
            throw .connectFailed(source: source, destination: destination, code: rc)
        }
    }

    public func disconnect(_ source: String, _ destination: String) throws(JackError) {
        let client = try open()
        let rc = jack_disconnect(client, source, destination)
        guard rc == 0 else { throw .disconnectFailed(source: source, destination: destination, code: rc) }
    }

    /// Full names of ports matching `pattern` (a POSIX extended regex; "" matches all), of the
    /// given type and direction. Empty when closed or nothing matches.
    public func ports(matching pattern: String = "", type: PortTypeFilter = .midi,
                      direction: PortDirection = .any) -> [String] {
        guard let handle else { return [] }
        let list: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        if let typePattern = type.pattern {
            list = jack_get_ports(handle, pattern, typePattern, direction.flags)
        } else {
            list = jack_get_ports(handle, pattern, nil, direction.flags)
        }
        guard let list else { return [] }
        defer { jack_free(list) }  // JACK allocated it; free with JACK's allocator
        var names: [String] = []
        var i = 0
        while let cName = list[i] {
            names.append(String(cString: cName))
            i += 1
        }
        return names
    }

    /// Connects `output` to every MIDI input port matching `pattern` (excluding this client's
    /// own ports). Returns the destinations now connected.
    @discardableResult
    public func autoConnect(_ output: MIDIOutputPort, toInputsMatching pattern: String) throws(JackError) -> [String] {
        let source = output.name
        let targets = ports(matching: pattern, type: .midi, direction: .input).filter { !isOwn($0) }
        for target in targets { try connect(source, target) }
        return targets
    }

    /// Connects every MIDI output port matching `pattern` (excluding this client's own) to
    /// `input`. Returns the sources now connected.
    @discardableResult
    public func autoConnect(_ input: MIDIInputPort, fromOutputsMatching pattern: String) throws(JackError) -> [String] {
        let destination = input.name
        let sources = ports(matching: pattern, type: .midi, direction: .output).filter { !isOwn($0) }
        for source in sources { try connect(source, destination) }
        return sources
    }

    private func isOwn(_ portName: String) -> Bool { portName.hasPrefix(name + ":") }

    // MARK: Transport

    /// `jack_transport_query`: transport state and position (BBT and tempo only when a
    /// timebase master provides them). nil when closed. RT-safe in JACK, but building the
    /// struct here is cheap either way.
    public func transport() -> TransportInfo? {
        guard let handle else { return nil }
        var position = jack_position_t()
        let state = jack_transport_query(handle, &position)
        return TransportInfo(state: state, position: position)
    }

    // MARK: Health

    /// A `Sendable` read-only view of this client's counters, for other threads.
    public var monitor: JackClientMonitor { JackClientMonitor(context: context) }

    /// True once JACK reported that the server shut down or dropped this client. Poll it from the
    /// owner's non-RT loop; then `close()` and reopen.
    public var serverGone: Bool { monitor.serverGone }
    public var xrunCount: Int { monitor.xrunCount }
    public var droppedOutputEvents: Int { monitor.droppedOutputEvents }
    public var skippedInputEvents: Int { monitor.skippedInputEvents }
    public var cycleCount: Int { monitor.cycleCount }

    /// Installs (or removes, with nil) the owner's handler for sample-rate, buffer-size and xrun
    /// notifications. **Thread:** the handler runs on JACK's notification thread — not the RT
    /// thread, so it may allocate and lock, but it should return quickly and it must not call
    /// back into this client's open/close/activate.
    public func setNotificationHandler(_ handler: (@Sendable (JackNotification) -> Void)?) {
        context.notificationHandler.withLock { $0 = handler }
    }
}

/// Read-only, thread-safe counters of a `JackClient`. Every read is one atomic load.
public struct JackClientMonitor: Sendable {
    let context: ClientContext

    public var serverGone: Bool { context.serverGone.load(ordering: .acquiring) }
    public var xrunCount: Int { context.xrunCount.load(ordering: .relaxed) }
    public var sampleRate: Int { context.sampleRate.load(ordering: .acquiring) }
    public var bufferSize: Int { context.bufferSize.load(ordering: .acquiring) }
    public var droppedOutputEvents: Int { context.counter(.outputDrops) }
    public var skippedInputEvents: Int { context.counter(.inputSkipped) }
    /// Process cycles run so far (a liveness check: it stops growing when the server stalls).
    public var cycleCount: Int { context.cycleCount.load(ordering: .relaxed) }
    /// Absolute (64-bit) frame at which the latest cycle started.
    public var lastCycleStart: Int64 { context.absoluteCycleStart.load(ordering: .acquiring) }
}
