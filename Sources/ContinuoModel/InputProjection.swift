import CContinuoKernels

// Layer 0's input is always an embedding row, so x_t W_ih0^T + b is a row of a [V, 4H] table:
// computing the table costs V x E x 4H instead of (B*L) x E x 4H, and backward sums gate
// gradients per token first. Forward and backward side by side.
extension LSTMTrainer {
    /// table [V, 4H] = embedding [V, E] x W_ih0^T [E, 4H] + bias_ih0 + bias_hh0.
    func inputTableForward() {
        let c = configuration, V = c.vocabularySize, E = c.embeddingSize, G = c.gateWidth
        let table = workspace.inputTable.pointer
        let biasIH = params + layout.biasIH[0].offset, biasHH = params + layout.biasHH[0].offset
        for j in 0..<G { table[j] = biasIH[j] + biasHH[j] }
        for v in 1..<V { (table + v * G).update(from: table, count: G) }
        gemm(transposeA: false, transposeB: true, m: V, n: G, k: E,
             a: params + layout.embedding.offset, lda: E, b: params + layout.weightIH[0].offset, ldb: E,
             beta: 1, c: table, ldc: G)
    }

    /// From gate gradients [rows, 4H] of layer 0: per-token sums S [V, 4H], then
    /// dW_ih0 [4H, E] += S^T x embedding and d(embedding) [V, E] += S x W_ih0.
    func inputTableBackward(_ shape: WindowShape) {
        let c = configuration, V = c.vocabularySize, E = c.embeddingSize, G = c.gateWidth
        let perToken = workspace.tokenGateGradients
        perToken.zero()
        ck_scatter_add_rows(shape.rows, G, workspace.tokens, workspace.gateGradients.pointer, perToken.pointer)
        gemm(transposeA: true, transposeB: false, m: G, n: E, k: V,
             a: perToken.pointer, lda: G, b: params + layout.embedding.offset, ldb: E,
             beta: 1, c: grads + layout.weightIH[0].offset, ldc: E)
        gemm(transposeA: false, transposeB: false, m: V, n: E, k: G,
             a: perToken.pointer, lda: G, b: params + layout.weightIH[0].offset, ldb: E,
             beta: 1, c: grads + layout.embedding.offset, ldc: E)
    }
}
