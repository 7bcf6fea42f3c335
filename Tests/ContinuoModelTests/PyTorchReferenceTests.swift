import ContinuoTestSupport
import Foundation
import XCTest
@testable import ContinuoModel

/// Compares against an independent NumPy implementation of PyTorch's nn.LSTM equations. The
/// script reads our safetensors file itself (header + raw data), so it also checks the format.
final class PyTorchReferenceTests: XCTestCase {
    private static let script = #"""
import json, struct, sys
import numpy as np
path, tokens = sys.argv[1], [int(t) for t in sys.argv[2].split(",")]
raw = open(path, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
meta = header.pop("__metadata__")
data = raw[8 + n:]
T = {k: np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype="<f4").astype(np.float64).reshape(v["shape"])
     for k, v in header.items()}
layers, H = int(meta["continuo.layers"]), int(meta["continuo.hidden_size"])
sig = lambda x: 1.0 / (1.0 + np.exp(-x))
h = [np.zeros(H) for _ in range(layers)]; c = [np.zeros(H) for _ in range(layers)]
out = []
for tok in tokens:
    x = T["embedding.weight"][tok]
    for l in range(layers):
        g = T[f"lstm.weight_ih_l{l}"] @ x + T[f"lstm.bias_ih_l{l}"] + T[f"lstm.weight_hh_l{l}"] @ h[l] + T[f"lstm.bias_hh_l{l}"]
        i, f, gg, o = sig(g[0:H]), sig(g[H:2*H]), np.tanh(g[2*H:3*H]), sig(g[3*H:4*H])
        c[l] = f * c[l] + i * gg
        h[l] = o * np.tanh(c[l])
        x = h[l]
    out.append((T["head.weight"] @ x + T["head.bias"]).tolist())
print(json.dumps(out))
"""#

    func testStepMatchesNumPyPyTorchEquations() throws {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/usr/local/bin"
        guard let python = searchPath.split(separator: ":").map({ "\($0)/python3" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("python3 not found; skipping the NumPy reference comparison")
        }
        let probe = try runProcess(python, ["-c", "import numpy"])
        guard probe.status == 0 else { throw XCTSkip("numpy is not installed; skipping the NumPy reference comparison") }

        let configuration = LSTMConfiguration(vocabularySize: 13, embeddingSize: 7, hiddenSize: 9, layerCount: 2)
        var model = try LSTMModel(configuration: configuration, seed: 2024)
        model.parameters = model.parameters.map { $0 * 2 }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let modelPath = directory.appendingPathComponent("model.safetensors").path
        try Data(model.safetensorsBytes()).write(to: URL(fileURLWithPath: modelPath))
        let tokens = [1, 12, 0, 5, 5, 7, 3, 11, 2, 9]
        let result = try runProcess(python, ["-c", Self.script, modelPath, tokens.map(String.init).joined(separator: ",")])
        XCTAssertEqual(result.status, 0, result.output)
        let expected = try JSONDecoder().decode([[Double]].self, from: Data(result.output.utf8))

        let inference = LSTMInference(model: model, precision: .float32)
        var state = inference.makeState()
        var logits = [Float](repeating: 0, count: configuration.vocabularySize)
        XCTAssertEqual(expected.count, tokens.count)
        for (token, reference) in zip(tokens, expected) {
            try logits.withUnsafeMutableBufferPointer { try inference.step(token: token, state: &state, logits: $0) }
            XCTAssertLessThan(maxAbsDifference(logits, reference), 1e-4)
        }
    }

    private func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let run = try ChildProcess.run(executable, arguments, timeout: 300)
        XCTAssertFalse(run.timedOut, "\(executable) still ran after 300 s")
        // The JSON is on standard output; standard error only explains a failure.
        return (run.status.code, run.status == .exited(0) ? run.output : run.output + run.errors)
    }
}
