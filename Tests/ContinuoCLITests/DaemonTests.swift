import ContinuoHarness
import ContinuoModel
import Foundation
import Testing

/// The daemon as a user runs it, against real private JACK servers (dummy driver).
@Suite(.serialized) struct DaemonTests {
    static let hasJack = PrivateJackServer.jackdPath != nil

    /// A small untrained model: the daemon's plumbing does not care what it plays.
    static let model: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-daemon-test-model.safetensors").path
        let model = try! LSTMModel(configuration: LSTMConfiguration(vocabularySize: 355, embeddingSize: 16, hiddenSize: 32, layerCount: 2), seed: 3)
        FileManager.default.createFile(atPath: path, contents: Data(model.safetensorsBytes()))
        return path
    }()

    final class RunningDaemon {
        let process = Process()
        let log: URL
        let out: URL
        let socket: String

        init(_ arguments: [String], environment extra: [String: String] = [:]) throws {
            let id = UInt32.random(in: 0...UInt32.max)
            log = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-\(id).log")
            out = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-\(id).out")
            socket = FileManager.default.temporaryDirectory.appendingPathComponent("daemon-\(id).sock").path
            FileManager.default.createFile(atPath: log.path, contents: nil)
            FileManager.default.createFile(atPath: out.path, contents: nil)
            process.executableURL = CLITests.binary
            process.arguments = ["daemon", "--model", DaemonTests.model, "--socket", socket] + arguments
            process.environment = ProcessInfo.processInfo.environment.merging(["JACK_NO_START_SERVER": "1"].merging(extra) { $1 }) { $1 }
            process.standardError = try FileHandle(forWritingTo: log)
            process.standardOutput = try FileHandle(forWritingTo: out)
            try process.run()
        }

        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        var outText: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }

        /// Waits until the log holds `text` `count` times.
        @discardableResult
        func waitFor(_ text: String, count: Int = 1, seconds: Double = 15) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if logText.components(separatedBy: text).count - 1 >= count { return true }
                if !process.isRunning { return false }
                usleep(20_000)
            }
            return false
        }

        func stop() -> Int32 {
            if process.isRunning { process.terminate() }
            let deadline = Date().addingTimeInterval(10)
            while process.isRunning, Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: log)
            try? FileManager.default.removeItem(at: out)
        }
    }

    @Test(.enabled(if: hasJack, "jackd is not installed"))
    func waitsForJACKAndConnectsWhenItAppears() throws {
        let name = "continuo-wait-\(UInt16.random(in: 0...UInt16.max))"
        let daemon = try RunningDaemon(["--jack-server", name])
        #expect(daemon.waitFor("JACK is not available"))
        usleep(300_000)
        #expect(daemon.process.isRunning, "no server is no reason to exit")
        let server = try PrivateJackServer(name: name)
        defer { server.stop() }
        #expect(daemon.waitFor("connected to JACK server '\(name)'"), "\(daemon.logText)")
        #expect(daemon.stop() == 0)
        #expect(daemon.outText.contains("\"connections\":1"))
    }

    @Test(.enabled(if: hasJack, "jackd is not installed"))
    func survivesTheServerGoingAwayAndReconnects() throws {
        let name = "continuo-restart-\(UInt16.random(in: 0...UInt16.max))"
        var server: PrivateJackServer? = try PrivateJackServer(name: name)
        let daemon = try RunningDaemon(["--jack-server", name, "--preset", "midi-effect"])
        #expect(daemon.waitFor("connected to JACK server"), "\(daemon.logText)")
        server?.kill() // as a crash would
        server = nil
        #expect(daemon.waitFor("went away"), "\(daemon.logText)")
        #expect(daemon.process.isRunning, "the daemon outlives the server")
        let again = try PrivateJackServer(name: name)
        defer { again.stop() }
        #expect(daemon.waitFor("connected to JACK server", count: 2, seconds: 20), "\(daemon.logText)")
        #expect(daemon.stop() == 0)
        #expect(daemon.outText.contains("\"connections\":2"))
    }

    /// The latency harness, briefly: every note is answered, every note is released, nothing
    /// crashes. (The figures come from `continuo bench latency`, not from here.)
    @Test(.enabled(if: hasJack, "jackd is not installed"))
    func harnessPlaysAndEveryNoteIsClosed() throws {
        let result = try CLITests().run(["bench", "latency", "--model", Self.model, "--seconds", "3", "--notes-per-second", "10", "--json"])
        #expect(result.status == 0, "\(result.err)")
        let json = String(result.out[(result.out.firstIndex(of: "{") ?? result.out.startIndex)...])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let inputs = report["inputNotes"] as? Int ?? 0
        #expect(inputs == 30)
        #expect(report["responded"] as? Int == inputs)
        #expect(report["stuckNotes"] as? Int == 0)
        #expect(report["daemonExitStatus"] as? Int == 0)
        let daemon = report["daemonReport"] as? [String: Int] ?? [:]
        #expect(daemon["droppedInputs"] == 0)
        #expect(daemon["droppedOutputs"] == 0)
    }
}
