import ContinuoTestSupport
import Foundation
import Testing
@testable import ContinuoJACK

extension JackServerTests {
@Suite struct ShutdownTests {
    final class Idle: RealtimeProcessor {
        func process(frames: Int, cycle: borrowing ProcessCycle) {}
    }

    /// The daemon's reconnect path: server dies → serverGone → close → new server, same name →
    /// new client works.
    @Test func serverDeathIsDetectedAndReconnectWorks() throws {
        let server = try JackTestServer()
        defer { server.stop() }
        let client = try JackClient(name: "survivor", server: server.name)
        _ = try client.registerMIDIOutput(name: "out")
        try client.activate(process: Idle())
        #expect(waitFor(2) { client.cycleCount > 2 })
        #expect(!client.serverGone)

        server.kill()
        #expect(waitFor(2.5) { client.serverGone }, "shutdown callback fires")
        client.close()  // must not crash after the server vanished
        client.close()

        try server.start()  // same name
        let again = try JackClient(name: "survivor", server: server.name)
        defer { again.close() }
        _ = try again.registerMIDIOutput(name: "out")
        try again.activate(process: Idle())
        #expect(waitFor(2) { again.cycleCount > 2 })
        #expect(!again.serverGone)
    }
}
}
