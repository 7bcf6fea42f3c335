import Foundation
import Testing
@testable import ContinuoJACK

/// Every test that talks to jackd lives in a suite nested here, so they run one at a time:
/// libjack (JACK2) keeps process-wide globals bound to one server, and clients of two servers
/// open concurrently in one process crash it (observed: SIGSEGV in libjack's semaphore code).
/// Servers still start and stop per test; only their overlap is avoided.
@Suite(.serialized, .enabled(if: JackTestServer.isAvailable, "jackd is not installed (apt install jackd2)"))
struct JackServerTests {}

/// A private `jackd -n continuo-test-<random> -d dummy -r 48000 -p 128` for one test.
/// Never the default server, never autostarted: JACK_NO_START_SERVER=1 is set before any client.
final class JackTestServer {
    static let jackd = "/usr/bin/jackd"
    static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: jackd) }

    let name: String
    private(set) var process: Process?

    /// Process-wide setup, idempotent: no autostart, and libjack's stderr chatter (the expected
    /// "cannot connect" lines while polling, server-gone messages) discarded.
    static let prepared: Void = {
        setenv("JACK_NO_START_SERVER", "1", 1)
        JackLibraryLog.redirect(nil)
    }()

    init(name: String = "continuo-test-\(UInt32.random(in: 0 ... .max))") throws {
        _ = Self.prepared
        self.name = name
        try start()
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.jackd)
        // -r after -d dummy: the sample rate (before -d it would mean "no realtime").
        p.arguments = ["-n", name, "-d", "dummy", "-r", "48000", "-p", "128"]
        var env = ProcessInfo.processInfo.environment
        env["JACK_NO_START_SERVER"] = "1"
        p.environment = env
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        try waitUntilUp()
    }

    /// Polls (10 ms) by opening a throwaway client, as the daemon's reconnect loop would.
    private func waitUntilUp(timeout: Double = 5) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let probe = try? JackClient(name: "probe", server: name) {
                probe.close()
                return
            }
            if let p = process, !p.isRunning {
                throw TestServerError.exited(p.terminationStatus)
            }
            usleep(10_000)
        }
        throw TestServerError.timeout
    }

    /// SIGTERM and wait (1.3–2 s). Waiting matters: a jackd started while another is still
    /// shutting down exits with status 255 here, even under a different name.
    func stop() {
        guard let p = process else { return }
        process = nil
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
    }

    /// SIGKILL: the abrupt death the shutdown test wants.
    func kill() {
        guard let p = process else { return }
        process = nil
        Glibc.kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    deinit { stop() }

    enum TestServerError: Error { case timeout, exited(Int32) }
}

/// Polls `condition` every 5 ms until true or `timeout` seconds pass.
func waitFor(_ timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(5_000)
    }
    return condition()
}
