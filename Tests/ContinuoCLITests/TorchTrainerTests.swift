import ContinuoModel
import ContinuoProcess
import ContinuoTestSupport
import Foundation
import Testing

/// The PyTorch trainer in train/torch (issue 15) against Continuo itself: the same logits for
/// the bundled model, and a model trained under torchrun that `continuo eval`, `model info` and
/// the daemon take as it is. Skipped, visibly, where PyTorch is not installed.
@Suite(.serialized) struct TorchTrainerTests {
    static let package = Fixtures.repositoryRoot.appendingPathComponent("train/torch").path
    static let environment = ["PYTHONPATH": package, "OMP_NUM_THREADS": "1"]
    static let hasTorch: Bool = {
        (try? ChildProcess.run("python3", ["-c", "import torch"], timeout: 60).status.code) == 0
    }()
    static let skipped = "PyTorch is not installed (pip install torch==2.13.0+cpu --index-url https://download.pytorch.org/whl/cpu)"

    /// The first 48 tokens of a sample chorale (bwv101.7, a validation piece of `prepare data/sample`).
    static let window = [1, 3, 345, 69, 81, 84, 88, 286, 197, 209, 212, 216, 68, 76, 83, 88, 286, 196, 204, 211, 216, 69, 76, 81, 84, 286,
                         197, 204, 209, 212, 77, 81, 86, 286, 205, 209, 214, 72, 76, 81, 88, 286, 200, 204, 209, 216, 74, 77]

    func python(_ arguments: [String], timeout: Double = 300) throws -> (status: Int32, out: String, err: String) {
        let run = try ChildProcess.run("python3", arguments, environment: Self.environment, timeout: timeout)
        if run.timedOut { Issue.record("python3 \(arguments.joined(separator: " ")) still ran after \(timeout) s") }
        return (run.status.code, run.output, run.errors)
    }

    @Test(.enabled(if: hasTorch, Comment(rawValue: skipped)))
    func theBundledModelGivesTheSameLogitsInPyTorch() throws {
        let path = Fixtures.repositoryRoot.appendingPathComponent("models/default.safetensors").path
        let parity = try python(["-m", "continuo_torch.parity", "--model", path, "--tokens", Self.window.map(String.init).joined(separator: ",")])
        #expect(parity.status == 0, "\(parity.err)")
        let reply = try #require(lastJSONObject(in: parity.out), "not JSON: \(parity.out)")
        let theirs = try #require(reply["logits"] as? [[Double]])
        let theirLoss = try #require(reply["loss"] as? Double)

        let model = try Data(contentsOf: URL(fileURLWithPath: path)).withUnsafeBytes { try LSTMModel(safetensors: $0) }
        let inference = LSTMInference(model: model, precision: .float32, maxBatch: 1)
        var state = inference.makeState()
        var logits = [Float](repeating: 0, count: model.configuration.vocabularySize)
        var largest = 0.0, loss = 0.0
        for (position, token) in Self.window.enumerated() {
            try logits.withUnsafeMutableBufferPointer { try inference.step(token: token, state: &state, logits: $0) }
            #expect(theirs[position].count == logits.count)
            for (a, b) in zip(logits, theirs[position]) { largest = max(largest, abs(Double(a) - b)) }
            if position + 1 < Self.window.count {
                let top = Double(logits.max()!)
                let sum = logits.reduce(0.0) { $0 + exp(Double($1) - top) }
                loss += top + log(sum) - Double(logits[Self.window[position + 1]])
            }
        }
        loss /= Double(Self.window.count - 1)
        print("parity on the bundled model: max |Δ| of the logits \(largest), loss Continuo \(loss), PyTorch \(theirLoss)")
        #expect(largest <= 1e-4, "max |Δ| of the logits \(largest)")
        #expect(abs(loss - theirLoss) <= 1e-5, "loss: Continuo \(loss), PyTorch \(theirLoss)")
    }

    /// torchrun with two processes (gloo, CPU) on the repo's sample: the loss falls, and the file
    /// it writes is read by `continuo eval` (same validation loss), `model info` and the daemon.
    @Test(.enabled(if: hasTorch && ControlProtocolTests.enabled, Comment(rawValue: skipped + ", or jackd2 is not")))
    func aModelTrainedUnderTorchrunPlaysInTheDaemon() throws {
        let folder = try TemporaryFolder(prefix: "continuo-torch-test")
        let cli = CLITests()
        #expect(try cli.run(["prepare", WorkflowTests.sample, "-o", folder.path("data.ctok"), "--quiet"]).status == 0)
        let out = folder.path("torch.safetensors")
        let run = try ChildProcess.run("torchrun", ["--standalone", "--nproc-per-node=2", "-m", "continuo_torch.train", "--data", folder.path("data.ctok"),
                                                    "--out", out, "--layers", "1", "--hidden", "32", "--embed", "16", "--seq-len", "32",
                                                    "--batch", "16", "--steps", "40", "--lr", "0.01", "--threads", "1", "--quiet"],
                                       environment: Self.environment, timeout: 300)
        #expect(run.status.code == 0, "\(run.output)\(run.errors)")
        let trained = try #require(lastJSONObject(in: run.output), "not JSON: \(run.output)")
        #expect(trained["processes"] as? Int == 2)
        let first = try #require(trained["train_loss_first"] as? Double), last = try #require(trained["train_loss_last"] as? Double)
        #expect(last < first - 0.5, "the loss falls: \(first) -> \(last)")
        let validation = try #require(trained["validation_loss"] as? Double)

        let eval = try cli.run(["eval", "--model", out, "--data", folder.path("data.ctok"), "--report", folder.path("eval")])
        #expect(eval.status == 0, "\(eval.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder.path("eval.json")))) as? [String: Any])
        let nats = try #require((report["likelihood"] as? [String: Any])?["natsPerEvent"] as? Double, "\(report)")
        print("torchrun x2: train loss \(first) -> \(last); validation PyTorch \(validation), continuo eval \(nats) nats/event")
        #expect(abs(nats - validation) <= 1e-4, "continuo eval \(nats) nats/event, PyTorch reported \(validation)")

        let info = try cli.run(["model", "info", out])
        #expect(info.status == 0, "\(info.err)")
        #expect(info.out.contains("embedding 16, 1 x 32 hidden"), "\(info.out)")

        let f = try ControlProtocolTests.Fixture()
        let c = try ControlProtocolTests.RawClient(f.socket)
        _ = c.line()
        c.send(#"{"id":1,"cmd":"model","action":"load","path":"\#(out)"}"#)
        let loaded = c.reply()
        #expect(loaded?["ok"] as? Bool == true, "\(String(describing: loaded))")
        try f.playLoop(frames: 12_000)
        let answered = waitFor(15, every: 0.1) {
            c.send(#"{"id":2,"cmd":"status"}"#)
            let counters = (c.reply()?["result"] as? [String: Any])?["counters"] as? [String: Any]
            return (counters?["generated"] as? Int ?? 0) > 0
        }
        #expect(answered, "the daemon plays the PyTorch model's notes: \(f.daemon.logText)")
        #expect(f.stop() == 0)
    }

    @Test(.enabled(if: hasTorch, Comment(rawValue: skipped)))
    func thePackagesOwnTestsPass() throws {
        let run = try ChildProcess.run("python3", ["-m", "unittest", "discover", "-s", Self.package + "/tests"],
                                       environment: Self.environment, timeout: 300)
        #expect(run.status.code == 0, "\(run.output)\(run.errors)")
        #expect(run.errors.contains("OK"), "\(run.errors)")
    }
}
