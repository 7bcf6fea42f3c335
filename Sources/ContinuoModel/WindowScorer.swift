import CContinuoKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Exact held-out scoring in float32, window by window over B rows, without dropout or
/// gradients: the per-step work is only the recurrent products; the upper layers' input
/// products and the head are one matrix product per window, as in training.
///
/// Unlike `LSTMTrainer.evaluate`, a window may reset a row's state before any step (a new
/// piece starts mid-window) and may leave positions unscored (target -1: padding after a
/// row's last piece), so pieces of any length are scored completely and nothing else is.
/// State carries from window to window. Not thread-safe; one scorer per thread.
public final class LSTMWindowScorer {
    public let configuration: LSTMConfiguration
    /// Rows still scored (see `keepRows`).
    public private(set) var batch: Int
    public let length: Int

    private let inputTable: FloatBuffer             // [V, 4H], layer 0's input product and both biases
    private let combinedBias: [FloatBuffer]         // per layer [4H]; layer 0 unused
    private let inputWeights: [FloatBuffer]         // W_ih [4H, H] for layers >= 1 (index 0 unused)
    private let recurrentWeights: [FloatBuffer]     // W_hh [4H, H]
    private let headWeights: FloatBuffer            // [V, H]
    private let headBias: FloatBuffer               // [V]

    private let gates: FloatBuffer                  // [L * B, 4H], time-major
    private let hidden: [FloatBuffer]               // per layer [(L + 1) * B, H]: slot 0 the carried state
    private let cell: [FloatBuffer]
    private let tanhScratch: FloatBuffer            // [B, H]
    private let resetHidden: FloatBuffer            // [B, H]: h_{t-1} with reset rows zeroed
    private let resetCell: FloatBuffer
    private let logits: FloatBuffer                 // [L * B, V]
    private let tokens: UnsafeMutablePointer<Int32> // [L * B], time-major

    public init(model: LSTMModel, batch: Int, length: Int) throws {
        let c = model.configuration, layout = model.layout
        let V = c.vocabularySize, H = c.hiddenSize, G = c.gateWidth
        guard batch > 0, length > 0 else {
            throw ModelError.shapeMismatch("a scorer needs at least one row and one step, not \(batch) x \(length)")
        }
        configuration = c
        self.batch = batch
        self.length = length
        let folded = FoldedInputs(model)
        var inputs: [FloatBuffer] = [], recurrent: [FloatBuffer] = []
        let head = FloatBuffer(count: V * H), bias = FloatBuffer(count: V)
        model.parameters.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            func copy(_ slot: TensorSlot) -> FloatBuffer {
                let b = FloatBuffer(count: slot.count)
                b.pointer.update(from: p + slot.offset, count: slot.count)
                return b
            }
            for layer in 0..<c.layerCount {
                inputs.append(layer == 0 ? FloatBuffer(count: 0) : copy(layout.weightIH[layer]))
                recurrent.append(copy(layout.weightHH[layer]))
            }
            head.pointer.update(from: p + layout.headWeight.offset, count: V * H)
            bias.pointer.update(from: p + layout.headBias.offset, count: V)
        }
        inputTable = folded.table
        combinedBias = folded.biases
        inputWeights = inputs
        recurrentWeights = recurrent
        headWeights = head
        headBias = bias
        gates = FloatBuffer(count: length * batch * G)
        hidden = (0..<c.layerCount).map { _ in FloatBuffer(count: (length + 1) * batch * H) }
        cell = (0..<c.layerCount).map { _ in FloatBuffer(count: (length + 1) * batch * H) }
        tanhScratch = FloatBuffer(count: batch * H)
        resetHidden = FloatBuffer(count: batch * H)
        resetCell = FloatBuffer(count: batch * H)
        logits = FloatBuffer(count: length * batch * V)
        tokens = .allocate(capacity: length * batch)
    }

    deinit { tokens.deallocate() }

    /// Keeps only `rows` (ascending indices of current rows), in that order, with their state;
    /// later windows have `rows.count` rows.
    public func keepRows(_ rows: [Int]) throws {
        guard !rows.isEmpty, zip(rows, rows.dropFirst()).allSatisfy({ $0 < $1 }),
              rows.first! >= 0, rows.last! < batch else {
            throw ModelError.shapeMismatch("keepRows needs ascending rows within 0..<\(batch), got \(rows)")
        }
        let H = configuration.hiddenSize
        for layer in 0..<configuration.layerCount {
            for (to, from) in rows.enumerated() where to != from {
                (hidden[layer].pointer + to * H).update(from: hidden[layer].pointer + from * H, count: H)
                (cell[layer].pointer + to * H).update(from: cell[layer].pointer + from * H, count: H)
            }
        }
        batch = rows.count
    }

    /// Scores one window of `batch` rows x `length` steps, row-major (`b * length + t`).
    /// `resets[b * length + t]` zeroes row b's state before step t. A target of -1 is not scored.
    /// Returns the summed -log p of the scored targets and their count.
    public func score(inputs: [Int32], targets: [Int32], resets: [Bool]) throws -> (nats: Double, count: Int) {
        let B = batch, L = length, H = configuration.hiddenSize, G = configuration.gateWidth
        let V = configuration.vocabularySize, rows = B * L
        guard inputs.count == rows, targets.count == rows, resets.count == rows else {
            throw ModelError.shapeMismatch("window needs \(B) x \(L) inputs, targets and resets (got \(inputs.count), \(targets.count), \(resets.count))")
        }
        for b in 0..<B {
            for t in 0..<L {
                let input = inputs[b * L + t], target = targets[b * L + t]
                guard input >= 0, input < V, target >= -1, target < V else {
                    throw ModelError.tokenOutOfRange(token: Int(input >= 0 && input < V ? target : input), vocabularySize: V)
                }
                tokens[t * B + b] = input
            }
        }
        let g = gates.pointer
        for layer in 0..<configuration.layerCount {
            let h = hidden[layer].pointer, c = cell[layer].pointer
            var bias: UnsafePointer<Float>? = nil
            if layer == 0 {
                ck_gather_rows(rows, G, tokens, inputTable.pointer, g)
            } else {
                gemm(transposeA: false, transposeB: true, m: rows, n: G, k: H, a: hidden[layer - 1].pointer + B * H, lda: H,
                     b: inputWeights[layer].pointer, ldb: H, beta: 0, c: g, ldc: G)
                bias = UnsafePointer(combinedBias[layer].pointer)
            }
            for t in 0..<L {
                var previousH = h + t * B * H, previousC = c + t * B * H
                if (0..<B).contains(where: { resets[$0 * L + t] }) {
                    resetHidden.pointer.update(from: previousH, count: B * H)
                    resetCell.pointer.update(from: previousC, count: B * H)
                    for b in 0..<B where resets[b * L + t] {
                        (resetHidden.pointer + b * H).update(repeating: 0, count: H)
                        (resetCell.pointer + b * H).update(repeating: 0, count: H)
                    }
                    previousH = resetHidden.pointer
                    previousC = resetCell.pointer
                }
                let stepGates = g + t * B * G
                gemm(transposeA: false, transposeB: true, m: B, n: G, k: H, a: previousH, lda: H,
                     b: recurrentWeights[layer].pointer, ldb: H, beta: 1, c: stepGates, ldc: G)
                ck_lstm_cell_forward(B, H, stepGates, bias, previousC, c + (t + 1) * B * H,
                                     tanhScratch.pointer, h + (t + 1) * B * H)
            }
            // The last step's state is the next window's starting state.
            h.update(from: h + L * B * H, count: B * H)
            c.update(from: c + L * B * H, count: B * H)
        }
        let top = hidden[configuration.layerCount - 1].pointer + B * H
        let z = logits.pointer
        for r in 0..<rows { (z + r * V).update(from: headBias.pointer, count: V) }
        gemm(transposeA: false, transposeB: true, m: rows, n: V, k: H, a: top, lda: H,
             b: headWeights.pointer, ldb: H, beta: 1, c: z, ldc: V)
        var nats = 0.0, count = 0
        for b in 0..<B {
            for t in 0..<L {
                let target = Int(targets[b * L + t])
                guard target >= 0 else { continue }
                let row = z + (t * B + b) * V
                var largest = -Float.infinity
                for v in 0..<V where row[v] > largest { largest = row[v] }
                var sum: Float = 0
                for v in 0..<V { sum += expf(row[v] - largest) }
                nats += Double(logf(sum)) + Double(largest) - Double(row[target])
                count += 1
            }
        }
        return (nats, count)
    }
}
