import CContinuoKernels

// One LSTM layer over a window: forward caches gates (activated), c, tanh(c) and h for every
// step; backward walks time in reverse, then forms the weight gradients with one GEMM each.
extension LSTMTrainer {
    /// `input` [rows, H] is the (dropped-out) output of the layer below; nil for layer 0, whose
    /// pre-activations come from the token table. The initial state must already sit in the first
    /// B rows of `hidden[layer]` / `cell[layer]`.
    func recurrentLayerForward(layer: Int, _ shape: WindowShape, input: UnsafePointer<Float>?) {
        let H = configuration.hiddenSize, G = configuration.gateWidth, B = shape.batch
        let gates = workspace.gates[layer].pointer
        let hidden = workspace.hidden[layer].pointer, cell = workspace.cell[layer].pointer
        let tanhCell = workspace.tanhCell[layer].pointer
        let weightHH = weightOperand(layout.weightHH[layer])
        var bias: UnsafePointer<Float>? = nil
        if let input {
            // gates [rows, 4H] = input [rows, H] x W_ih^T [H, 4H]; bias is added by the cell kernel.
            gemm(transposeA: false, transposeB: true, m: shape.rows, n: G, k: H,
                 a: .float32(input), lda: H, b: weightOperand(layout.weightIH[layer]), ldb: H, beta: 0, c: gates, ldc: G,
                 bf16: bf16)
            let combined = workspace.combinedBias[layer].pointer
            let biasIH = params + layout.biasIH[layer].offset, biasHH = params + layout.biasHH[layer].offset
            for j in 0..<G { combined[j] = biasIH[j] + biasHH[j] }
            bias = UnsafePointer(combined)
        } else {
            ck_gather_rows(shape.rows, G, workspace.tokens, workspace.inputTable.pointer, gates)
        }
        for t in 0..<shape.length {
            let stepGates = gates + t * B * G
            // gates_t [B, 4H] += h_{t-1} [B, H] x W_hh^T [H, 4H]
            gemm(transposeA: false, transposeB: true, m: B, n: G, k: H,
                 a: .float32(hidden + t * B * H), lda: H, b: weightHH, ldb: H, beta: 1, c: stepGates, ldc: G, bf16: bf16)
            ck_lstm_cell_forward(B, H, stepGates, bias, cell + t * B * H, cell + (t + 1) * B * H,
                                 tanhCell + t * B * H, hidden + (t + 1) * B * H)
        }
    }

    /// Expects dLoss/dh_t [rows, H] in `outputGradients`; accumulates this layer's parameter
    /// gradients and, above layer 0, leaves dLoss/d(input) [rows, H] in `outputGradients`.
    func recurrentLayerBackward(layer: Int, _ shape: WindowShape, input: UnsafePointer<Float>?) {
        let H = configuration.hiddenSize, G = configuration.gateWidth, B = shape.batch, rows = shape.rows
        let gates = workspace.gates[layer].pointer
        let hidden = workspace.hidden[layer].pointer, cell = workspace.cell[layer].pointer
        let tanhCell = workspace.tanhCell[layer].pointer
        let gateGradients = workspace.gateGradients.pointer
        let outputGradients = workspace.outputGradients.pointer
        let hiddenNext = workspace.hiddenGradientNext.pointer, cellNext = workspace.cellGradientNext.pointer
        let weightHH = weightOperand(layout.weightHH[layer])
        // Truncated BPTT: nothing flows in from after the window or out to before it.
        hiddenNext.update(repeating: 0, count: B * H)
        cellNext.update(repeating: 0, count: B * H)
        for t in stride(from: shape.length - 1, through: 0, by: -1) {
            let stepGradients = gateGradients + t * B * G
            ck_lstm_cell_backward(B, H, gates + t * B * G, cell + t * B * H, tanhCell + t * B * H,
                                  outputGradients + t * B * H, hiddenNext, cellNext, stepGradients)
            if t > 0 {
                // dh_{t-1} [B, H] = dgates_t [B, 4H] x W_hh [4H, H]
                gemm(transposeA: false, transposeB: false, m: B, n: H, k: G,
                     a: .float32(stepGradients), lda: G, b: weightHH, ldb: H, beta: 0, c: hiddenNext, ldc: H, bf16: bf16)
            }
        }
        // dW_hh [4H, H] += dgates^T [4H, rows] x h_{t-1} [rows, H]  (all steps in one GEMM)
        gemm(transposeA: true, transposeB: false, m: G, n: H, k: rows,
             a: .float32(gateGradients), lda: G, b: .float32(hidden), ldb: H, beta: 1,
             c: grads + layout.weightHH[layer].offset, ldc: H, bf16: bf16)
        // Both biases receive the column sums of dgates.
        let biasGradient = workspace.biasGradient.pointer
        gemv(transpose: true, m: rows, n: G, a: gateGradients, lda: G, x: workspace.ones.pointer, beta: 0, y: biasGradient)
        axpy(G, x: biasGradient, y: grads + layout.biasIH[layer].offset)
        axpy(G, x: biasGradient, y: grads + layout.biasHH[layer].offset)
        if let input {
            // dW_ih [4H, H] += dgates^T x input;  d(input) [rows, H] = dgates x W_ih
            gemm(transposeA: true, transposeB: false, m: G, n: H, k: rows,
                 a: .float32(gateGradients), lda: G, b: .float32(input), ldb: H, beta: 1,
                 c: grads + layout.weightIH[layer].offset, ldc: H, bf16: bf16)
            gemm(transposeA: false, transposeB: false, m: rows, n: H, k: G,
                 a: .float32(gateGradients), lda: G, b: weightOperand(layout.weightIH[layer]), ldb: H,
                 beta: 0, c: outputGradients, ldc: H, bf16: bf16)
        } else {
            inputTableBackward(shape)
        }
    }
}
