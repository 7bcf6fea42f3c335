import ContinuoHarness
import ContinuoTestSupport
import Foundation
import Testing

/// The daemon under a fake systemd: a datagram socket named by NOTIFY_SOCKET receives
/// READY=1 once the JACK client is active, STATUS= lines, watchdog pings and STOPPING=1.
@Suite(.serialized) struct SystemdNotifyTests {
    @Test(.enabled(if: DaemonTests.hasJack, "jackd is not installed"))
    func notifiesReadyStatusWatchdogAndStopping() throws {
        let folder = try TemporaryFolder(prefix: "continuo-notify-test")
        let path = folder.path("notify.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let server = try PrivateJackServer(logDirectory: folder.url)
        defer { server.stop() }
        // WATCHDOG_USEC 200 ms: a ping every 0.1 s.
        let daemon = try DaemonTests.RunningDaemon(["--jack-server", server.name],
                                                   environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"])

        var messages: [String] = []
        /// Receives (200 ms at a time) until `enough` holds, at most `seconds`.
        func receive(until enough: () -> Bool, seconds: Double) {
            var buffer = [UInt8](repeating: 0, count: 4096)
            waitFor(seconds, every: 0) {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 { messages.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
                return enough()
            }
        }
        receive(until: { messages.contains { $0.contains("READY=1") } && messages.filter { $0 == "WATCHDOG=1" }.count >= 5 }, seconds: 15)
        let ready = messages.firstIndex { $0.contains("READY=1") }
        #expect(ready != nil, "\(messages)")
        #expect(messages.first { $0.contains("READY=1") }?.contains("STATUS=connected to JACK server '\(server.name)'") == true)
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 5, "pings every WatchdogSec/2")
        #expect(daemon.stop() == 0)
        receive(until: { messages.contains("STOPPING=1") }, seconds: 2)
        #expect(messages.contains("STOPPING=1"))
    }
}
