import ContinuoJACK
import ContinuoMIDI
import ContinuoProtocol
import Foundation

/// One connection to a JACK server: the client, its two MIDI ports, the real-time bridge and
/// the output scheduler, activated and auto-connected as the preset says.
final class JackSession: MIDISession {
    let client: JackClient
    let bridge: RealtimeBridge
    let scheduler: MIDIOutputScheduler

    private var period: Int

    init(options: Daemon.Options, log: Log) throws {
        let jack = options.preset.jack
        client = try JackClient(name: jack.clientName, server: options.jackServer)
        let input = try client.registerMIDIInput(name: jack.inputPort)
        let output = try client.registerMIDIOutput(name: jack.outputPort)
        scheduler = MIDIOutputScheduler()
        bridge = RealtimeBridge(input: input, output: output, scheduler: scheduler)
        // Pass-through and answers leave one period after what caused them; hosts compensate.
        client.outputLatency = client.bufferSize
        period = client.bufferSize
        try client.activate(process: bridge)
        for pattern in jack.connectInput + options.connectInput {
            let connected = (try? client.autoConnect(input, fromOutputsMatching: pattern)) ?? []
            log.info(connected.isEmpty ? "no output port matches '\(pattern)' yet" : "connected \(connected.joined(separator: ", ")) -> \(input.name)")
        }
        for pattern in jack.connectOutput + options.connectOutput {
            let connected = (try? client.autoConnect(output, toInputsMatching: pattern)) ?? []
            log.info(connected.isEmpty ? "no input port matches '\(pattern)' yet" : "connected \(output.name) -> \(connected.joined(separator: ", "))")
        }
        log.info("ports: \(input.name) (play into it), \(output.name) (listen to it)")
    }

    var backend: Backend { .jack }
    var sampleRate: Int { client.sampleRate }
    var bufferSize: Int { client.bufferSize }
    var nextCycle: Int64 { client.monitor.lastCycleStart &+ Int64(client.monitor.bufferSize) }
    var isGone: Bool { client.serverGone }
    func popInput() -> TimedMIDI? { bridge.inputs.pop() }
    var xrunCount: Int { client.xrunCount }
    var droppedInputs: Int { bridge.droppedInputCount + client.skippedInputEvents }
    var droppedOutputs: Int { client.droppedOutputEvents }

    /// JACK may change its period while we run (jack_bufsize): pass-through and answers keep
    /// leaving one period after what caused them.
    func housekeeping() -> [String] {
        let now = client.bufferSize
        guard now != period else { return [] }
        period = now
        client.outputLatency = now
        return ["JACK now runs at \(client.sampleRate) Hz with \(now) frames per period"]
    }

    func transportPosition() -> (rolling: Bool, bpm: Double, beat: Double)? {
        guard let transport = client.transport(), let bbt = transport.bbt else { return nil }
        let beat = Double(bbt.bar - 1) * Double(bbt.beatsPerBar) + Double(bbt.beat - 1) + Double(bbt.tick) / bbt.ticksPerBeat
        return (transport.isRolling, bbt.beatsPerMinute, beat)
    }

    func statusFields() -> [String: JSONValue] {
        ["running": .bool(!client.serverGone), "sample_rate": .int(client.sampleRate), "buffer_frames": .int(client.bufferSize)]
    }

    func close() {
        if !client.serverGone { try? client.deactivate() }
        client.close()
    }
}
