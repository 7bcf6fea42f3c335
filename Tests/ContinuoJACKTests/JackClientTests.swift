import ContinuoTestSupport
import Foundation
import Testing
@testable import ContinuoJACK

extension JackServerTests {
@Suite struct JackClientTests {
    final class Idle: RealtimeProcessor {
        func process(frames: Int, cycle: borrowing ProcessCycle) {}
    }

    @Test func opensRegistersActivatesAndReportsFormat() throws {
        let server = try JackTestServer()
        defer { server.stop() }
        let client = try JackClient(name: "basic", server: server.name)
        defer { client.close() }
        let input = try client.registerMIDIInput(name: "in")
        let output = try client.registerMIDIOutput(name: "out")
        #expect(input.name == "basic:in")
        #expect(output.name == "basic:out")
        try client.activate(process: Idle())
        #expect(client.isActive)
        #expect(client.sampleRate == 48000)
        #expect(client.bufferSize == 128)
        #expect(waitFor(2) { client.cycleCount > 3 }, "process callback runs")

        // 64-bit frame clock agrees with JACK's 32-bit one.
        let raw = client.frameTime
        let abs = client.absoluteFrameTime
        #expect(abs >= 0 && UInt32(truncatingIfNeeded: abs) &- raw < 48_000)

        // Port listing (jack_get_ports + jack_free).
        #expect(client.ports(matching: "basic:", type: .midi, direction: .input) == ["basic:in"])
        #expect(client.ports(matching: "basic:", type: .midi, direction: .output) == ["basic:out"])
        #expect(client.ports(matching: "basic:", type: .audio).isEmpty)

        // Latency published through the latency callback.
        client.outputLatency = 256
        #expect(waitFor(2) { client.latencyRange(of: output) == 256...256 })

        // Transport: the dummy server has no timebase master, so no BBT/tempo.
        let t = try #require(client.transport())
        #expect(t.state == .stopped)
        #expect(t.bbt == nil)
        #expect(t.frameRate == 48000)

        #expect(throws: JackError.alreadyActive) { try client.activate(process: Idle()) }
        try client.deactivate()
        #expect(!client.isActive)
        client.close()
        client.close()  // idempotent
        #expect(client.transport() == nil)
        #expect(throws: JackError.clientClosed) { try client.registerMIDIInput(name: "x") }
    }

    @Test func errorsCarryDecodedStatus() throws {
        _ = JackTestServer.prepared
        do {
            _ = try JackClient(name: "nobody", server: "continuo-test-no-such-server")
            Issue.record("opened a client on a server that does not exist")
        } catch {
            guard case .openFailed(_, _, let status) = error else { Issue.record("\(error)"); return }
            #expect(status.contains(.serverFailed))
            #expect(error.description.contains("unable to connect to the JACK server"))
        }

        let server = try JackTestServer()
        defer { server.stop() }
        let first = try JackClient(name: "twin", server: server.name)
        defer { first.close() }
        do {
            _ = try JackClient(name: "twin", server: server.name)
            Issue.record("duplicate name accepted")
        } catch {
            guard case .openFailed(_, _, let status) = error else { Issue.record("\(error)"); return }
            // JACK2 with JackUseExactName reports a taken name as failure + server error (the
            // server's JackNameNotUnique bit does not reach the client), so assert only failure.
            #expect(status.contains(.failure))
        }
        _ = try first.registerMIDIOutput(name: "out")
        #expect(throws: JackError.portRegistrationFailed(name: "out")) { try first.registerMIDIOutput(name: "out") }
        #expect(throws: JackError.self) { try first.connect("twin:nope", "twin:nada") }
    }

    @Test func autoConnectMatchesOtherClientsPorts() throws {
        let server = try JackTestServer()
        defer { server.stop() }
        let a = try JackClient(name: "a", server: server.name)
        let b = try JackClient(name: "b", server: server.name)
        defer { a.close(); b.close() }
        let out = try a.registerMIDIOutput(name: "out")
        _ = try b.registerMIDIInput(name: "in")
        try a.activate(process: Idle())
        try b.activate(process: Idle())
        #expect(try a.autoConnect(out, toInputsMatching: "^b:") == ["b:in"])
        try a.connect("a:out", "b:in")  // already connected: still fine
    }
}
}
