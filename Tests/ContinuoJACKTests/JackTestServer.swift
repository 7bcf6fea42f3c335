import ContinuoHarness
import ContinuoTestSupport
import Foundation
import Testing
@testable import ContinuoJACK

/// Every test that talks to jackd lives in a suite nested here, so they run one at a time:
/// libjack (JACK2) keeps process-wide globals bound to one server, and clients of two servers
/// open concurrently in one process crash it (observed: SIGSEGV in libjack's semaphore code).
/// Servers still start and stop per test; only their overlap is avoided.
@Suite(.serialized, .enabled(if: JackTestServer.isAvailable, "jackd is not installed (apt install jackd2)"))
struct JackServerTests {}

/// A private `jackd -n jt-<random> -d dummy -r 48000 -p 128` for one test: the
/// harness's `PrivateJackServer` (stopped and reaped on every path), its log in a temporary
/// folder of the test's own that goes with it. Never the default server, never autostarted:
/// JACK_NO_START_SERVER=1 is set before any client.
final class JackTestServer {
    static let jackd = "/usr/bin/jackd"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: jackd) }

    let name: String
    let folder: TemporaryFolder
    private var server: PrivateJackServer?

    /// Process-wide setup, idempotent: no autostart, and libjack's stderr chatter (the expected
    /// "cannot connect" lines while polling, server-gone messages) discarded.
    static let prepared: Void = {
        setenv("JACK_NO_START_SERVER", "1", 1)
        JackLibraryLog.redirect(nil)
    }()

    init(name: String = PrivateJackServer.uniqueName("jt")) throws {
        _ = Self.prepared
        self.name = name
        folder = try TemporaryFolder(prefix: "continuo-jack-test")
        try start()
    }

    /// Starts the server (again, same name); returns once it answers.
    func start() throws {
        if let server { try server.start() } else { server = try PrivateJackServer(name: name, logDirectory: folder.url) }
    }

    /// SIGTERM, wait, reap (SIGKILL after 5 s).
    func stop() { server?.stop() }

    /// SIGKILL and reap: the abrupt death the shutdown test wants.
    func kill() { server?.kill() }

    deinit { server?.stop() }
}
