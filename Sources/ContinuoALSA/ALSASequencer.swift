import CAlsa
import ContinuoMIDI
#if canImport(Glibc)
import Glibc
#endif

/// A failed sequencer call, named, with ALSA's own words for it.
public struct ALSAError: Error, CustomStringConvertible {
    public var call: String
    public var code: Int32
    public var description: String { "\(call): \(String(cString: snd_strerror(code)))" }

    public init(call: String, code: Int32) {
        self.call = call
        self.code = code
    }
}

/// One ALSA sequencer client: a MIDI input and output port, and a started queue whose real-time
/// clock stamps what arrives and schedules what leaves. An event sent for a queue time is
/// delivered by the kernel at that time, however early the sender ran.
///
/// One thread receives and another sends, as with JACK's callback and worker: libasound allows a
/// client's input and output to be used from two threads. Receiving and sending allocate nothing.
public final class ALSASequencer: @unchecked Sendable {
    private let handle: OpaquePointer
    private let encoder: OpaquePointer
    private let decoder: OpaquePointer
    public let clientID: Int32
    public let queue: Int32
    public let inputPort: Int32
    public let outputPort: Int32
    private let inputBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 64)
    private let outputBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 3)

    /// Whether this machine has a sequencer to open (`/dev/snd/seq`).
    public static var isAvailable: Bool { access("/dev/snd/seq", R_OK | W_OK) == 0 }

    public init(name: String, inputName: String = "in", outputName: String = "out") throws(ALSAError) {
        var seq: OpaquePointer? = nil
        let id = continuo_seq_open(&seq, name)
        guard id >= 0, let seq else { throw ALSAError(call: "snd_seq_open", code: id) }
        handle = seq
        clientID = id
        var enc: OpaquePointer? = nil, dec: OpaquePointer? = nil
        snd_midi_event_new(64, &enc)
        snd_midi_event_new(64, &dec)
        encoder = enc!
        decoder = dec!
        snd_midi_event_no_status(decoder, 1)   // full status bytes, no running status
        let q = continuo_seq_start_queue(seq)
        guard q >= 0 else { snd_seq_close(seq); throw ALSAError(call: "snd_seq_alloc_queue", code: q) }
        queue = q
        let input = continuo_seq_create_port(seq, inputName, 1, q)
        let output = continuo_seq_create_port(seq, outputName, 0, -1)
        guard input >= 0, output >= 0 else { snd_seq_close(seq); throw ALSAError(call: "snd_seq_create_port", code: min(input, output)) }
        inputPort = input
        outputPort = output
        // Hot-plug: the system announces ports that appear and go away.
        snd_seq_connect_from(seq, input, Int32(SND_SEQ_CLIENT_SYSTEM), Int32(SND_SEQ_PORT_SYSTEM_ANNOUNCE))
    }

    deinit {
        snd_seq_close(handle)
        snd_midi_event_free(encoder)
        snd_midi_event_free(decoder)
        inputBytes.deallocate()
        outputBytes.deallocate()
    }

    /// The queue's real time, in nanoseconds since it started.
    public var now: Int64 {
        let t = continuo_seq_queue_time(handle, queue)
        return t < 0 ? 0 : t
    }

    /// Sends `message` to the output's subscribers at queue time `at` (nanoseconds); nil is now.
    public func send(_ message: MIDIBytes, at nanoseconds: Int64?) throws(ALSAError) {
        outputBytes[0] = message.status
        outputBytes[1] = message.data1
        outputBytes[2] = message.data2
        let err = continuo_seq_send(handle, encoder, outputPort, queue, outputBytes, Int32(message.count), nanoseconds ?? -1)
        if err < 0 { throw ALSAError(call: "snd_seq_event_output", code: err) }
    }

    /// Drops what was scheduled and not yet delivered (a barge-in, a panic).
    public func dropScheduled() { _ = continuo_seq_drop_scheduled(handle) }

    public enum Input: Sendable, Equatable {
        /// A short MIDI message and its queue time in nanoseconds.
        case message(MIDIBytes, at: Int64, client: Int32, port: Int32)
        case portAppeared(client: Int32, port: Int32)
        case portWentAway(client: Int32, port: Int32)
    }

    /// The next event, waiting up to `timeoutMilliseconds`; nil when none came. Events that are
    /// not short MIDI messages (sysex, system events) are skipped.
    public func receive(timeoutMilliseconds: Int32) throws(ALSAError) -> Input? {
        try receive(timeoutNanoseconds: Int64(timeoutMilliseconds) * 1_000_000)
    }

    /// The next event, waiting up to `timeoutNanoseconds` (0: only what is already there).
    /// Allocates nothing: the sequencer thread's call.
    public func receive(timeoutNanoseconds: Int64) throws(ALSAError) -> Input? {
        var info = continuo_seq_input()
        let got = continuo_seq_receive(handle, decoder, timeoutNanoseconds, inputBytes, 64, &info)
        if got < 0 && got != -EINTR && got != -ENOSPC { throw ALSAError(call: "snd_seq_event_input", code: got) }
        guard got > 0 else { return nil }
        switch info.kind {
        case 1:
            guard info.length >= 1, info.length <= 3, inputBytes[0] & 0x80 != 0 else { return nil }
            let message = MIDIBytes(status: inputBytes[0], data1: info.length > 1 ? inputBytes[1] : 0,
                                    data2: info.length > 2 ? inputBytes[2] : 0, count: UInt8(info.length))
            return .message(message, at: info.ns, client: info.client, port: info.port)
        case 2: return .portAppeared(client: info.client, port: info.port)
        case 3: return .portWentAway(client: info.client, port: info.port)
        default: return nil
        }
    }

    /// A port another client offers.
    public struct Port: Sendable, Hashable, CustomStringConvertible {
        public var client: Int32
        public var port: Int32
        public var clientName: String
        public var portName: String
        /// It sends (can be read from) and it receives (can be written to), for subscribers.
        public var sends: Bool
        public var receives: Bool
        public var description: String { "\(client):\(port) \(clientName):\(portName)" }

        /// `pattern` names it: a substring of "client name:port name", or "client:port" numbers.
        public func matches(_ pattern: String) -> Bool {
            pattern == "\(client):\(port)" || "\(clientName):\(portName)".contains(pattern)
        }
    }

    /// Every port of every client, this one's excepted (allocates; not for the real-time path).
    public var ports: [Port] {
        final class Box { var ports: [Port] = [] }
        let box = Box()
        let context = Unmanaged.passUnretained(box).toOpaque()
        continuo_seq_each_port(handle, context) { context, client, port, clientName, portName, capability in
            let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
            let reads = UInt32(SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ)
            let writes = UInt32(SND_SEQ_PORT_CAP_WRITE | SND_SEQ_PORT_CAP_SUBS_WRITE)
            box.ports.append(Port(client: client, port: port, clientName: String(cString: clientName!), portName: String(cString: portName!),
                                  sends: capability & reads == reads, receives: capability & writes == writes))
        }
        return box.ports.filter { $0.client != clientID && $0.client != Int32(SND_SEQ_CLIENT_SYSTEM) }
    }

    /// Subscribes the input to `port` (it plays into us), as `aconnect port us:in` would.
    public func listen(to port: Port) throws(ALSAError) {
        let err = snd_seq_connect_from(handle, inputPort, port.client, port.port)
        if err < 0 && err != -EBUSY { throw ALSAError(call: "snd_seq_connect_from \(port)", code: err) }
    }

    /// Subscribes `port` to the output (we play into it).
    public func play(into port: Port) throws(ALSAError) {
        let err = snd_seq_connect_to(handle, outputPort, port.client, port.port)
        if err < 0 && err != -EBUSY { throw ALSAError(call: "snd_seq_connect_to \(port)", code: err) }
    }

    /// Connects every port matching the patterns that is not connected yet (`listen` for ports
    /// that send, `play` for ports that receive); returns the ports connected now.
    @discardableResult
    public func connect(inputs: [String], outputs: [String]) -> [Port] {
        var connected: [Port] = []
        for port in ports {
            if port.sends, inputs.contains(where: port.matches), (try? listen(to: port)) != nil { connected.append(port) }
            if port.receives, outputs.contains(where: port.matches), (try? play(into: port)) != nil { connected.append(port) }
        }
        return connected
    }
}
