import ContinuoProcess
import Foundation
import Synchronization

/// A private `jackd` with the dummy driver, for tests and benchmarks: no sound hardware, a
/// name of its own, stopped and reaped when done. Its log goes into `logDirectory` (which the
/// caller owns and removes), or into a temporary folder of its own that goes with the server.
public final class PrivateJackServer: Sendable {
    public let name: String
    public let sampleRate: Int
    public let period: Int
    /// The server's standard output and error.
    public let logPath: String
    private let ownFolder: TemporaryFolder?
    private let process: Mutex<ChildProcess?>

    public enum ServerError: Error, CustomStringConvertible {
        case notInstalled
        case nameTooLong(String)
        case didNotStart(String)
        public var description: String {
            switch self {
            case .notInstalled: return "jackd is not installed (sudo apt-get install jackd2)"
            case let .nameTooLong(name): return "JACK server name '\(name)' is longer than \(PrivateJackServer.maxNameLength) bytes"
            case let .didNotStart(log): return "jackd did not start: \(log)"
            }
        }
    }

    public static var jackdPath: String? {
        ["/usr/bin/jackd", "/usr/local/bin/jackd"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Longer server names make JACK 1.9.21 tools abort (`jack_lsp -s` with a 22-byte name
    /// dies of "malloc assertion failure in sysmalloc"), so none is accepted.
    public static let maxNameLength = 21

    /// A fresh name that fits: `cnt-` and 8 random hex digits.
    public static func uniqueName(_ prefix: String = "cnt") -> String {
        "\(prefix)-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    public init(name: String = PrivateJackServer.uniqueName(), sampleRate: Int = 48_000, period: Int = 128, logDirectory: URL? = nil) throws {
        guard Self.jackdPath != nil else { throw ServerError.notInstalled }
        guard name.utf8.count <= Self.maxNameLength else { throw ServerError.nameTooLong(name) }
        setenv("JACK_NO_START_SERVER", "1", 1)
        self.name = name
        self.sampleRate = sampleRate
        self.period = period
        if let logDirectory {
            ownFolder = nil
            logPath = logDirectory.appendingPathComponent("jackd-\(name).log").path
        } else {
            let folder = try TemporaryFolder(prefix: "continuo-jackd")
            ownFolder = folder
            logPath = folder.path("jackd.log")
        }
        process = Mutex(nil)
        try start()
    }

    /// Starts the server (again, under the same name, after `stop` or `kill`) and waits until
    /// it answers; a server that does not come up within 5 s is stopped and reaped.
    public func start() throws {
        guard let jackd = Self.jackdPath else { throw ServerError.notInstalled }
        stop()
        // -r after -d dummy is the sample rate (before it would mean "no realtime").
        // jackd has no children of its own; in the caller's process group a Ctrl-C reaches it.
        let child = try ChildProcess(jackd, ["-n", name, "-d", "dummy", "-r", String(sampleRate), "-p", String(period)],
                                     environment: ["JACK_NO_START_SERVER": "1"],
                                     standardOutput: .file(logPath), standardError: .file(logPath), group: .inherit)
        process.withLock { $0 = child }
        let deadline = Date().addingTimeInterval(5)
        var probe = ""
        while Date() < deadline {
            let answer = Self.probe(name)
            if answer.up { return }
            probe = answer.errors
            if !child.isRunning { break }
            usleep(10_000)
        }
        stop()
        throw ServerError.didNotStart(log + (probe.isEmpty ? "" : "\n(jack_lsp: \(probe))"))
    }

    /// What the server wrote so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Whether a server of that name answers (`jack_lsp -s NAME`).
    public static func isRunning(_ name: String?) -> Bool { probe(name).up }

    private static func probe(_ name: String?) -> (up: Bool, errors: String) {
        do {
            let run = try ChildProcess.run("/usr/bin/jack_lsp", name.map { ["-s", $0] } ?? [],
                                           environment: ["JACK_NO_START_SERVER": "1"], timeout: 10)
            return (run.status == .exited(0), "\(run.status): \(run.errors)")
        } catch {
            return (false, "\(error)")
        }
    }

    public var pid: Int32 { process.withLock { $0?.pid ?? 0 } }

    /// Whether a port of that full name exists on the server.
    public static func portExists(_ port: String, server: String) -> Bool {
        guard let probe = try? ChildProcess.run("/usr/bin/jack_lsp", ["-s", server],
                                                environment: ["JACK_NO_START_SERVER": "1"], timeout: 10) else { return false }
        return probe.output.split(separator: "\n").contains { $0 == port }
    }

    /// SIGKILL and reap: the server vanishes as a crash would (for reconnection tests).
    public func kill() {
        process.withLock { $0 }?.kill()
        process.withLock { $0 = nil }
    }

    /// SIGTERM, and SIGKILL if it has not left within 5 s (shutdown takes 1.3–2 s); reaped
    /// either way. Waiting matters: a jackd started while another is still shutting down
    /// exits with status 255, even under a different name.
    public func stop() {
        process.withLock { $0 }?.stop(grace: 5)
        process.withLock { $0 = nil }
    }

    deinit { stop() }
}
