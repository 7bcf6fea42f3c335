import ContinuoALSA
import ContinuoJACK
import ContinuoMIDI
import ContinuoProtocol
import Foundation

/// The daemon as an ALSA sequencer client: the same engine and scheduler as on JACK, with the
/// sequencer's queue clock for time. Engine frames are queue nanoseconds counted at a nominal
/// 48 kHz; a `SequencerPump` thread stamps input and hands each period's output to the queue at
/// exact times. Ports named by the patterns are connected as `aconnect` would, and again when
/// they appear later; a keyboard that goes away has its held notes ended.
final class ALSASession: MIDISession {
    static let frameRate = 48_000
    /// 64 frames (1.3 ms): the pump hands the queue one to two periods ahead of time.
    static let period = 64

    let sequencer: ALSASequencer
    let scheduler = MIDIOutputScheduler()
    private let pump: SequencerPump
    private let inputPatterns: [String]
    private let outputPatterns: [String]
    private let inputName: String
    private let outputName: String
    /// Ports this session subscribed, by address, so their going and coming can be told.
    private var connected: [Address: ALSASequencer.Port] = [:]
    /// Performer notes held, by the port that played them: ended if that port goes away.
    private var held: [Address: Set<UInt16>] = [:]
    private var endedNotes: [TimedMIDI] = []
    private var announcements: [String] = []
    private var portsChanged = false

    struct Address: Hashable {
        var client: Int32
        var port: Int32
        var description: String { "\(client):\(port)" }
    }

    init(options: Daemon.Options, log: Log) throws {
        let names = options.preset.jack
        guard ALSASequencer.isAvailable else { throw ALSAError(call: "open /dev/snd/seq (no ALSA sequencer here; load snd-seq)", code: -ENOENT) }
        sequencer = try ALSASequencer(name: names.clientName, inputName: names.inputPort, outputName: names.outputPort)
        inputName = names.inputPort
        outputName = names.outputPort
        inputPatterns = options.preset.alsa.connectInput + options.connectInput
        outputPatterns = options.preset.alsa.connectOutput + options.connectOutput
        pump = SequencerPump(sequencer: sequencer, scheduler: scheduler, frameRate: Self.frameRate, period: Self.period)
        pump.start()
        for line in connectMatching() { log.info(line) }
        for pattern in inputPatterns where !connected.values.contains(where: { $0.sends && $0.matches(pattern) }) {
            log.info("no ALSA port matches '\(pattern)' yet; it is connected when it appears")
        }
        for pattern in outputPatterns where !connected.values.contains(where: { $0.receives && $0.matches(pattern) }) {
            log.info("no ALSA port matches '\(pattern)' yet; it is connected when it appears")
        }
        log.info("ports: \(sequencer.clientID):\(sequencer.inputPort) \(names.clientName):\(inputName) (play into it), \(sequencer.clientID):\(sequencer.outputPort) \(names.clientName):\(outputName) (listen to it)")
    }

    var backend: Backend { .alsa }
    var sampleRate: Int { Self.frameRate }
    var bufferSize: Int { Self.period }
    var nextCycle: Int64 { pump.handedOverUntil }
    var isGone: Bool { pump.failure != nil }
    var xrunCount: Int { pump.lateWakeups }
    var droppedInputs: Int { pump.droppedInputs }
    var droppedOutputs: Int { pump.droppedOutputs }
    var failure: String? { pump.failure }
    func transportPosition() -> (rolling: Bool, bpm: Double, beat: Double)? { nil }

    func popInput() -> TimedMIDI? {
        if !endedNotes.isEmpty { return endedNotes.removeFirst() }
        while let event = pump.inputs.pop() {
            let address = Address(client: event.client, port: event.port)
            switch event.kind {
            case .message:
                track(event.bytes, from: address)
                return TimedMIDI(frame: event.frame, bytes: event.bytes)
            case .portAppeared:
                portsChanged = true
            case .portWentAway:
                portWentAway(address, at: event.frame)
                if !endedNotes.isEmpty { return endedNotes.removeFirst() }
            }
        }
        return nil
    }

    func housekeeping() -> [String] {
        var lines = announcements
        announcements.removeAll()
        if portsChanged {
            portsChanged = false
            lines += connectMatching()
        }
        return lines
    }

    func statusFields() -> [String: JSONValue] {
        ["running": .bool(!isGone), "client": .int(Int(sequencer.clientID)),
         "input": .string("\(sequencer.clientID):\(sequencer.inputPort)"), "output": .string("\(sequencer.clientID):\(sequencer.outputPort)"),
         "sample_rate": .int(Self.frameRate), "buffer_frames": .int(Self.period),
         "connected": .array(connected.values.map(\.description).sorted().map { .string($0) })]
    }

    /// Lets what was handed to the queue play out (the last note-offs) before the client goes.
    func close() {
        pump.stop(draining: true)
    }

    // MARK: Connections

    private func connectMatching() -> [String] {
        var lines: [String] = []
        for port in sequencer.ports where connected[Address(client: port.client, port: port.port)] == nil {
            let address = Address(client: port.client, port: port.port)
            if port.sends, inputPatterns.contains(where: port.matches) {
                do {
                    try sequencer.listen(to: port)
                    connected[address] = port
                    lines.append("connected \(port) -> \(inputName)")
                } catch { lines.append("cannot connect \(port): \(error)") }
            }
            if port.receives, outputPatterns.contains(where: port.matches) {
                do {
                    try sequencer.play(into: port)
                    connected[address] = port
                    lines.append("connected \(outputName) -> \(port)")
                } catch { lines.append("cannot connect \(port): \(error)") }
            }
        }
        return lines
    }

    private func portWentAway(_ address: Address, at frame: Int64) {
        if let port = connected.removeValue(forKey: address) {
            announcements.append("\(port) went away; it is connected again when it comes back")
        }
        guard let notes = held.removeValue(forKey: address), !notes.isEmpty else { return }
        // Its keys can no longer be let go: end them, as if the player had.
        for key in notes.sorted() {
            let off = MIDIBytes(status: 0x80 | UInt8(key >> 7), data1: UInt8(key & 0x7F), data2: 0, count: 3)
            endedNotes.append(TimedMIDI(frame: max(frame, 0), bytes: off))
        }
        announcements.append("ended \(notes.count) notes held on \(address.description)")
    }

    private func track(_ bytes: MIDIBytes, from address: Address) {
        guard bytes.count == 3, bytes.isNoteOn || bytes.isNoteOff else { return }
        let key = UInt16(bytes.channel) << 7 | UInt16(bytes.data1 & 0x7F)
        if bytes.isNoteOn {
            held[address, default: []].insert(key)
        } else {
            held[address]?.remove(key)
        }
    }
}
