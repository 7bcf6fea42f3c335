/// What every forward pass of a trained model starts from, computed once when it is loaded:
/// each layer's two biases added together, and layer 0's whole input side per token
/// (embedding times W_ih plus the biases), so a step looks up a row instead of multiplying.
struct FoldedInputs {
    /// b_ih + b_hh of each layer, [G].
    let biases: [FloatBuffer]
    /// [V, G]: row v is embedding[v] · W_ih[0]^T + b_ih[0] + b_hh[0].
    let table: FloatBuffer

    init(_ model: LSTMModel) {
        let c = model.configuration, layout = model.layout
        let V = c.vocabularySize, E = c.embeddingSize, G = c.gateWidth
        var biases: [FloatBuffer] = []
        let table = FloatBuffer(count: V * G)
        model.parameters.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            for layer in 0..<c.layerCount {
                let combined = FloatBuffer(count: G)
                for j in 0..<G { combined.pointer[j] = p[layout.biasIH[layer].offset + j] + p[layout.biasHH[layer].offset + j] }
                biases.append(combined)
            }
            for v in 0..<V { (table.pointer + v * G).update(from: biases[0].pointer, count: G) }
            gemm(transposeA: false, transposeB: true, m: V, n: G, k: E, a: p + layout.embedding.offset, lda: E,
                 b: p + layout.weightIH[0].offset, ldb: E, beta: 1, c: table.pointer, ldc: G)
        }
        self.biases = biases
        self.table = table
    }
}
