import XCTest
import CContinuoKernels
@testable import ContinuoModel

final class InferenceTests: XCTestCase {
    private let configuration = LSTMConfiguration(vocabularySize: 11, embeddingSize: 6, hiddenSize: 32, layerCount: 2)
    private let tokens = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4]

    private func model() throws -> LSTMModel {
        var model = try LSTMModel(configuration: configuration, seed: 42)
        model.parameters = model.parameters.map { $0 * 2 } // livelier activations than the default init
        return model
    }

    private func run(_ inference: LSTMInference, tokens: [Int]) throws -> [[Float]] {
        var state = inference.makeState()
        var logits = [Float](repeating: 0, count: configuration.vocabularySize)
        return try tokens.map { token in
            try logits.withUnsafeMutableBufferPointer { try inference.step(token: token, state: &state, logits: $0) }
            return logits
        }
    }

    func testFloatStepMatchesReference() throws {
        let model = try model()
        let expected = ReferenceLSTM(model: model).logits(tokens: tokens)
        let actual = try run(LSTMInference(model: model, precision: .float32), tokens: tokens)
        for (a, e) in zip(actual, expected) { XCTAssertLessThan(maxAbsDifference(a, e), 1e-4) }
    }

    /// Stated tolerance of the int8 path on this model: max |logit difference| < 0.03 and
    /// KL(float || int8) < 1e-3 nats per step.
    func testCompactStepAgreesWithFloat() throws {
        let model = try model()
        let reference = try run(LSTMInference(model: model, precision: .float32), tokens: tokens)
        let compact = try run(LSTMInference(model: model, precision: .int8), tokens: tokens)
        for (f, q) in zip(reference, compact) {
            XCTAssertLessThan(zip(f, q).map { abs($0 - $1) }.max()!, 0.03)
            XCTAssertLessThan(CompactAccuracy.klDivergence(logitsP: f, logitsQ: q), 1e-3)
        }
    }

    func testBatchedStepEqualsSingleSteps() throws {
        let model = try model()
        for precision in InferencePrecision.allCases {
            let inference = LSTMInference(model: model, precision: precision, maxBatch: 2)
            let V = configuration.vocabularySize, batch = 5
            // Give every row its own history first.
            var singles = (0..<batch).map { _ in inference.makeState() }
            var scratch = [Float](repeating: 0, count: V)
            for (row, state) in singles.enumerated() {
                var s = state
                try inference.prime(tokens.prefix(row + 2), state: &s)
                singles[row] = s
            }
            var batched = inference.makeState(batch: batch)
            for row in 0..<batch { try batched.setRow(row, from: singles[row], row: 0) }
            for stepIndex in 0..<4 {
                let stepTokens = (0..<batch).map { Int32((stepIndex * 3 + $0) % V) }
                var batchedLogits = [Float](repeating: 0, count: batch * V)
                try batchedLogits.withUnsafeMutableBufferPointer { try inference.step(tokens: stepTokens, state: &batched, logits: $0) }
                for row in 0..<batch {
                    try scratch.withUnsafeMutableBufferPointer { try inference.step(token: Int(stepTokens[row]), state: &singles[row], logits: $0) }
                    let rowLogits = batchedLogits[(row * V)..<((row + 1) * V)]
                    let difference = zip(rowLogits, scratch).map { abs($0 - $1) }.max()!
                    // int8 is exact integer arithmetic either way; float32 GEMM vs GEMV may round differently.
                    XCTAssertLessThanOrEqual(difference, precision == .int8 ? 0 : 1e-5, "\(precision) row \(row)")
                }
            }
        }
    }

    func testSnapshotAndRollbackReproduceLogits() throws {
        let inference = LSTMInference(model: try model(), precision: .int8)
        var state = inference.makeState()
        try inference.prime(tokens.prefix(8), state: &state)
        let snapshot = state
        var first = [Float](repeating: 0, count: configuration.vocabularySize), second = first
        try first.withUnsafeMutableBufferPointer { try inference.step(token: 4, state: &state, logits: $0) }
        try first.withUnsafeMutableBufferPointer { try inference.step(token: 2, state: &state, logits: $0) }
        XCTAssertNotEqual(state, snapshot, "stepping must not write through to the snapshot")
        state = snapshot
        try second.withUnsafeMutableBufferPointer { try inference.step(token: 4, state: &state, logits: $0) }
        try second.withUnsafeMutableBufferPointer { try inference.step(token: 2, state: &state, logits: $0) }
        XCTAssertEqual(first, second)
    }

    func testPortableKernelsAgreeWithSIMDKernels() throws {
        let model = try model()
        let simd = try run(LSTMInference(model: model, precision: .int8), tokens: tokens)
        ck_set_portable_only(1)
        defer { ck_set_portable_only(0) }
        let portable = try run(LSTMInference(model: model, precision: .int8), tokens: tokens)
        for (a, b) in zip(simd, portable) { XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max()!, 1e-4) }
    }

    func testBadInputsThrowInsteadOfTrapping() throws {
        let inference = LSTMInference(model: try model(), precision: .int8)
        var state = inference.makeState()
        var logits = [Float](repeating: 0, count: configuration.vocabularySize)
        XCTAssertThrowsError(try logits.withUnsafeMutableBufferPointer { try inference.step(token: 99, state: &state, logits: $0) })
        var wrongState = inference.makeState(batch: 2)
        XCTAssertThrowsError(try logits.withUnsafeMutableBufferPointer { try inference.step(token: 1, state: &wrongState, logits: $0) })
        var short = [Float](repeating: 0, count: 3)
        XCTAssertThrowsError(try short.withUnsafeMutableBufferPointer { try inference.step(token: 1, state: &state, logits: $0) })
    }
}
