import CContinuoKernels

// Linear head + softmax cross-entropy, fused: the loss kernel turns logits into dlogits in place.
extension LSTMTrainer {
    /// logits [rows, V] = input [rows, H] x W_head^T + b; returns the summed loss (nats) and
    /// leaves gradScale * (softmax - onehot) in `logits`.
    func headForward(_ shape: WindowShape, input: UnsafePointer<Float>, gradScale: Float) -> Double {
        let H = configuration.hiddenSize, V = configuration.vocabularySize
        gemm(transposeA: false, transposeB: true, m: shape.rows, n: V, k: H,
             a: .float32(input), lda: H, b: weightOperand(layout.headWeight), ldb: H, beta: 0,
             c: workspace.logits.pointer, ldc: V, bf16: bf16)
        return ck_softmax_cross_entropy(shape.rows, V, workspace.logits.pointer,
                                        params + layout.headBias.offset, workspace.targets, gradScale)
    }

    /// dW_head [V, H] += dlogits^T x input; db += column sums; dinput [rows, H] = dlogits x W_head
    /// (written to `outputGradients`).
    func headBackward(_ shape: WindowShape, input: UnsafePointer<Float>) {
        let H = configuration.hiddenSize, V = configuration.vocabularySize, rows = shape.rows
        let dlogits = workspace.logits.pointer
        gemm(transposeA: true, transposeB: false, m: V, n: H, k: rows,
             a: .float32(dlogits), lda: V, b: .float32(input), ldb: H, beta: 1,
             c: grads + layout.headWeight.offset, ldc: H, bf16: bf16)
        gemv(transpose: true, m: rows, n: V, a: dlogits, lda: V, x: workspace.ones.pointer, beta: 1,
             y: grads + layout.headBias.offset)
        gemm(transposeA: false, transposeB: false, m: rows, n: H, k: V,
             a: .float32(dlogits), lda: V, b: weightOperand(layout.headWeight), ldb: H, beta: 0,
             c: workspace.outputGradients.pointer, ldc: H, bf16: bf16)
    }
}
