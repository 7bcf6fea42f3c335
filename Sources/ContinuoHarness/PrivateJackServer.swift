import Foundation

/// A private `jackd` with the dummy driver, for tests and benchmarks: no sound hardware, a
/// name of its own, stopped when done.
public final class PrivateJackServer {
    public let name: String
    public let sampleRate: Int
    public let period: Int
    private let process: Process

    public enum ServerError: Error, CustomStringConvertible {
        case notInstalled
        case didNotStart(String)
        public var description: String {
            switch self {
            case .notInstalled: return "jackd is not installed (sudo apt-get install jackd2)"
            case let .didNotStart(log): return "jackd did not start: \(log)"
            }
        }
    }

    public static var jackdPath: String? {
        ["/usr/bin/jackd", "/usr/local/bin/jackd"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public init(name: String = "continuo-\(ProcessInfo.processInfo.processIdentifier)-\(UInt16.random(in: 0...UInt16.max))",
                sampleRate: Int = 48_000, period: Int = 128) throws {
        guard let jackd = Self.jackdPath else { throw ServerError.notInstalled }
        setenv("JACK_NO_START_SERVER", "1", 1)
        self.name = name
        self.sampleRate = sampleRate
        self.period = period
        process = Process()
        process.executableURL = URL(fileURLWithPath: jackd)
        // -r after -d dummy is the sample rate (before it would mean "no realtime").
        process.arguments = ["-n", name, "-d", "dummy", "-r", String(sampleRate), "-p", String(period)]
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(name).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if Self.isRunning(name) { return }
            if !process.isRunning { break }
            usleep(10_000)
        }
        stop()
        throw ServerError.didNotStart((try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// Whether a server of that name answers (`jack_lsp -s NAME`).
    public static func isRunning(_ name: String?) -> Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/jack_lsp")
        probe.arguments = name.map { ["-s", $0] } ?? []
        probe.environment = ProcessInfo.processInfo.environment.merging(["JACK_NO_START_SERVER": "1"]) { $1 }
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    public var pid: Int32 { process.processIdentifier }

    /// Whether a port of that full name exists on the server.
    public static func portExists(_ port: String, server: String) -> Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/jack_lsp")
        probe.arguments = ["-s", server]
        probe.environment = ProcessInfo.processInfo.environment.merging(["JACK_NO_START_SERVER": "1"]) { $1 }
        let pipe = Pipe()
        probe.standardOutput = pipe
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        probe.waitUntilExit()
        return out.split(separator: "\n").contains { $0 == port }
    }

    /// SIGKILL: the server vanishes as a crash would (for reconnection tests).
    public func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning, Date() < deadline { usleep(10_000) }
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }

    deinit { stop() }
}
