import ContinuoHarness
import ContinuoModel
import ContinuoTestSupport
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

    /// `continuo daemon` in a process group of its own, its log, report and socket in a
    /// temporary folder of its own; stopped, reaped and cleaned up on every path (`deinit`
    /// too, so a failed `#require` or a throw leaves nothing behind).
    final class RunningDaemon {
        let process: ChildProcess
        let folder: TemporaryFolder
        let log: String
        let out: String
        let socket: String

        init(_ arguments: [String], environment extra: [String: String] = [:]) throws {
            folder = try TemporaryFolder(prefix: "continuo-daemon-test")
            log = folder.path("daemon.log")
            out = folder.path("daemon.out")
            socket = folder.path("control.sock")
            process = try ChildProcess(CLITests.binary.path, ["daemon", "--model", DaemonTests.model, "--socket", socket] + arguments,
                                       environment: ["JACK_NO_START_SERVER": "1"].merging(extra) { $1 },
                                       standardOutput: .file(out), standardError: .file(log))
        }

        var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
        var outText: String { (try? String(contentsOfFile: out, encoding: .utf8)) ?? "" }

        /// Waits until the log holds `text` `count` times.
        @discardableResult
        func waitFor(_ text: String, count: Int = 1, seconds: Double = 15) -> Bool {
            ContinuoTestSupport.waitFor(seconds, every: 0.02) {
                logText.components(separatedBy: text).count - 1 >= count || !process.isRunning
            } && logText.components(separatedBy: text).count - 1 >= count
        }

        /// SIGTERM, up to 10 s to leave, then SIGKILL; the exit code (128 + signal if killed).
        func stop() -> Int32 { process.stop(grace: 10).code }

        deinit { process.stop(grace: 2) }
    }

    @Test(.enabled(if: hasJack, "jackd is not installed"))
    func waitsForJACKAndConnectsWhenItAppears() throws {
        let name = PrivateJackServer.uniqueName("wait")
        let daemon = try RunningDaemon(["--jack-server", name])
        #expect(daemon.waitFor("JACK is not available"))
        // It keeps trying (a second attempt is logged) and is still there.
        #expect(daemon.waitFor("JACK is not available", count: 2), "\(daemon.logText)")
        #expect(daemon.process.isRunning, "no server is no reason to exit")
        let server = try PrivateJackServer(name: name)
        defer { server.stop() }
        #expect(daemon.waitFor("connected to JACK server '\(name)'"), "\(daemon.logText)")
        #expect(daemon.stop() == 0)
        #expect(daemon.outText.contains("\"connections\":1"))
    }

    @Test(.enabled(if: hasJack, "jackd is not installed"))
    func survivesTheServerGoingAwayAndReconnects() throws {
        let name = PrivateJackServer.uniqueName("restart")
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
        // Every note is answered in a run where the server kept time. A virtual machine's timer
        // sometimes wakes the dummy driver late (xruns: cycles skipped, an input or its answer
        // lost with them); then at most one in ten may go unanswered, never a note left sounding.
        let xruns = report["xrunsDuringPlay"] as? Int ?? 0
        let responded = report["responded"] as? Int ?? 0
        if xruns == 0 {
            #expect(responded == inputs)
        } else {
            #expect(responded * 10 >= inputs * 9, "\(responded) of \(inputs) answered with \(xruns) xruns")
        }
        #expect(report["stuckNotes"] as? Int == 0)
        #expect(report["daemonExitStatus"] as? Int == 0)
        let daemon = report["daemonReport"] as? [String: Int] ?? [:]
        #expect(daemon["droppedInputs"] == 0)
        #expect(daemon["droppedOutputs"] == 0)
    }
}
