import ContinuoJACK
import Foundation

/// One connection to a JACK server: the client, its two MIDI ports, the real-time bridge and
/// the output scheduler, activated and auto-connected as the preset says.
final class JackSession {
    let client: JackClient
    let bridge: RealtimeBridge
    let scheduler: MIDIOutputScheduler

    init(options: Daemon.Options, log: Log) throws {
        let jack = options.preset.jack
        client = try JackClient(name: jack.clientName, server: options.jackServer)
        let input = try client.registerMIDIInput(name: jack.inputPort)
        let output = try client.registerMIDIOutput(name: jack.outputPort)
        scheduler = MIDIOutputScheduler()
        bridge = RealtimeBridge(input: input, output: output, scheduler: scheduler)
        // Pass-through and answers leave one period after what caused them; hosts compensate.
        client.outputLatency = client.bufferSize
        try client.activate(process: bridge)
        for pattern in jack.connectInput {
            let connected = (try? client.autoConnect(input, fromOutputsMatching: pattern)) ?? []
            log.info(connected.isEmpty ? "no output port matches '\(pattern)' yet" : "connected \(connected.joined(separator: ", ")) -> \(input.name)")
        }
        for pattern in jack.connectOutput {
            let connected = (try? client.autoConnect(output, toInputsMatching: pattern)) ?? []
            log.info(connected.isEmpty ? "no input port matches '\(pattern)' yet" : "connected \(output.name) -> \(connected.joined(separator: ", "))")
        }
        log.info("ports: \(input.name) (play into it), \(output.name) (listen to it)")
    }

    func close(log: Log) {
        if !client.serverGone { try? client.deactivate() }
        client.close()
    }
}
