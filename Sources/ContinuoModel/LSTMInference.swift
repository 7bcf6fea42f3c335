import CContinuoKernels

/// Weight format of the inference step.
public enum InferencePrecision: String, Sendable, CaseIterable {
    /// float32 weights through oneDNN (reference).
    case float32
    /// int8 weights with per-row scales, int8 activations, VNNI kernels (the real-time path).
    case int8
}

/// Streaming inference: one token in, logits out, over an explicit `LSTMState`.
///
/// Layer 0's input projection is precomputed as a [V, 4H] table (embedding x W_ih0^T + biases),
/// so layer 0 costs only its recurrent product. Scratch is preallocated here: no allocation per
/// step. One inference object per thread (it is not thread-safe); states are plain values.
public final class LSTMInference {
    public let configuration: LSTMConfiguration
    public let precision: InferencePrecision
    /// Metadata of the model it was built from.
    public let metadata: [String: String]

    private let inputTable: FloatBuffer            // [V, 4H]
    private let layerBias: [FloatBuffer]           // per layer [4H]; layer 0 unused (in the table)
    private let headBias: FloatBuffer              // [V]
    // float32 path
    private let inputWeights: [FloatBuffer?]       // W_ih [4H, H] for layers >= 1
    private let recurrentWeights: [FloatBuffer]    // W_hh [4H, H]
    private let headWeights: FloatBuffer?          // [V, H]
    // int8 path
    private let compactInput: [QuantizedMatrix?]
    private let compactRecurrent: [QuantizedMatrix]
    private let compactHead: QuantizedMatrix?

    private var batchCapacity = 0
    private var gates = FloatBuffer(count: 0)      // [batch, 4H]
    private var tanhScratch = FloatBuffer(count: 0) // [batch, H]
    private var quantizedBelow = QuantizedActivations(batchCapacity: 1, width: 1)
    private var quantizedOwn = QuantizedActivations(batchCapacity: 1, width: 1)
    private var tokenScratch: UnsafeMutablePointer<Int32>

    public init(model: LSTMModel, precision: InferencePrecision = .int8, maxBatch: Int = 8) {
        let c = model.configuration, layout = model.layout
        let V = c.vocabularySize, H = c.hiddenSize, G = c.gateWidth
        configuration = c
        self.precision = precision
        metadata = model.metadata
        let folded = FoldedInputs(model)
        var inputs: [FloatBuffer?] = [], recurrent: [FloatBuffer] = []
        var compactInputs: [QuantizedMatrix?] = [], compactRecurrents: [QuantizedMatrix] = []
        let head = FloatBuffer(count: V)
        var headFloat: FloatBuffer? = nil
        var headCompact: QuantizedMatrix? = nil
        model.parameters.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            func copy(_ slot: TensorSlot) -> FloatBuffer {
                let b = FloatBuffer(count: slot.count)
                b.pointer.update(from: p + slot.offset, count: slot.count)
                return b
            }
            head.pointer.update(from: p + layout.headBias.offset, count: V)
            for layer in 0..<c.layerCount {
                switch precision {
                case .float32:
                    inputs.append(layer == 0 ? nil : copy(layout.weightIH[layer]))
                    recurrent.append(copy(layout.weightHH[layer]))
                case .int8:
                    compactInputs.append(layer == 0 ? nil
                        : QuantizedMatrix(rows: G, cols: H, weights: p + layout.weightIH[layer].offset))
                    compactRecurrents.append(QuantizedMatrix(rows: G, cols: H, weights: p + layout.weightHH[layer].offset))
                }
            }
            switch precision {
            case .float32: headFloat = copy(layout.headWeight)
            case .int8: headCompact = QuantizedMatrix(rows: V, cols: H, weights: p + layout.headWeight.offset)
            }
        }
        inputTable = folded.table
        layerBias = folded.biases
        headBias = head
        inputWeights = inputs
        recurrentWeights = recurrent
        headWeights = headFloat
        compactInput = compactInputs
        compactRecurrent = compactRecurrents
        compactHead = headCompact
        tokenScratch = .allocate(capacity: 1)
        reserve(batch: max(1, maxBatch))
    }

    /// Builds directly from safetensors bytes (e.g. an mmapped model file).
    public convenience init(safetensors bytes: UnsafeRawBufferPointer, expectedVocabularySize: Int? = nil,
                            precision: InferencePrecision = .int8, maxBatch: Int = 8) throws {
        let model = try LSTMModel(safetensors: bytes, expectedVocabularySize: expectedVocabularySize)
        self.init(model: model, precision: precision, maxBatch: maxBatch)
    }

    deinit { tokenScratch.deallocate() }

    /// A zero state with `batch` rows.
    public func makeState(batch: Int = 1) -> LSTMState {
        LSTMState(layerCount: configuration.layerCount, batchSize: batch, hiddenSize: configuration.hiddenSize)
    }

    /// Advances a one-row state by `token` and writes V logits.
    public func step(token: Int, state: inout LSTMState, logits: UnsafeMutableBufferPointer<Float>) throws {
        try validate(state: state, batch: 1, logits: logits.count)
        try validate(token: token)
        tokenScratch[0] = Int32(token)
        advance(batch: 1, tokens: tokenScratch, state: &state, logits: logits.baseAddress!)
    }

    /// Advances a B-row state by one token per row (one matrix product per layer for all rows)
    /// and writes logits [B, V].
    public func step(tokens: UnsafeBufferPointer<Int32>, state: inout LSTMState,
                     logits: UnsafeMutableBufferPointer<Float>) throws {
        let batch = tokens.count
        try validate(state: state, batch: batch, logits: logits.count)
        for token in tokens { try validate(token: Int(token)) }
        reserve(batch: batch)
        advance(batch: batch, tokens: tokens.baseAddress!, state: &state, logits: logits.baseAddress!)
    }

    public func step(tokens: [Int32], state: inout LSTMState, logits: UnsafeMutableBufferPointer<Float>) throws {
        try tokens.withUnsafeBufferPointer { try step(tokens: $0, state: &state, logits: logits) }
    }

    /// Feeds `tokens` in order (to every row of `state`) without computing logits.
    public func prime(_ tokens: some Sequence<Int>, state: inout LSTMState) throws {
        let batch = state.batchSize
        try validate(state: state, batch: batch, logits: nil)
        reserve(batch: batch)
        let row = UnsafeMutablePointer<Int32>.allocate(capacity: batch)
        defer { row.deallocate() }
        for token in tokens {
            try validate(token: token)
            row.update(repeating: Int32(token), count: batch)
            advance(batch: batch, tokens: row, state: &state, logits: nil)
        }
    }

    /// Grows scratch for batched steps; only allocates when `batch` exceeds what was reserved.
    public func reserve(batch: Int) {
        guard batch > batchCapacity else { return }
        let H = configuration.hiddenSize
        batchCapacity = batch
        gates = FloatBuffer(count: batch * configuration.gateWidth)
        tanhScratch = FloatBuffer(count: batch * H)
        quantizedBelow = QuantizedActivations(batchCapacity: batch, width: H)
        quantizedOwn = QuantizedActivations(batchCapacity: batch, width: H)
    }

    // MARK: - Step

    private func advance(batch B: Int, tokens: UnsafePointer<Int32>, state: inout LSTMState,
                         logits: UnsafeMutablePointer<Float>?) {
        let H = configuration.hiddenSize, G = configuration.gateWidth, V = configuration.vocabularySize
        let gates = self.gates.pointer
        ck_gather_rows(B, G, tokens, inputTable.pointer, gates)
        state.hidden.withUnsafeMutableBufferPointer { hiddenBuffer in
            state.cell.withUnsafeMutableBufferPointer { cellBuffer in
                let allHidden = hiddenBuffer.baseAddress!, allCell = cellBuffer.baseAddress!
                for layer in 0..<configuration.layerCount {
                    let hidden = allHidden + layer * B * H, cell = allCell + layer * B * H
                    let below: UnsafeMutablePointer<Float>? = layer == 0 ? nil : allHidden + (layer - 1) * B * H
                    switch precision {
                    case .float32:
                        if let below, let weights = inputWeights[layer] {
                            product(weights.pointer, rows: G, cols: H, x: below, batch: B, y: gates, ldy: G, beta: 0)
                        }
                        product(recurrentWeights[layer].pointer, rows: G, cols: H, x: hidden, batch: B, y: gates, ldy: G, beta: 1)
                    case .int8:
                        if let below, let weights = compactInput[layer] {
                            quantizedBelow.quantize(below, batch: B, width: H)
                            weights.multiply(quantizedBelow, batch: B, into: gates, yStride: G, accumulate: false)
                        }
                        quantizedOwn.quantize(hidden, batch: B, width: H)
                        compactRecurrent[layer].multiply(quantizedOwn, batch: B, into: gates, yStride: G, accumulate: true)
                    }
                    ck_lstm_cell_forward(B, H, gates, layer == 0 ? nil : layerBias[layer].pointer,
                                         cell, cell, tanhScratch.pointer, hidden)
                }
                guard let logits else { return }
                let top = allHidden + (configuration.layerCount - 1) * B * H
                for b in 0..<B { (logits + b * V).update(from: headBias.pointer, count: V) }
                switch precision {
                case .float32:
                    product(headWeights!.pointer, rows: V, cols: H, x: top, batch: B, y: logits, ldy: V, beta: 1)
                case .int8:
                    quantizedOwn.quantize(top, batch: B, width: H)
                    compactHead!.multiply(quantizedOwn, batch: B, into: logits, yStride: V, accumulate: true)
                }
            }
        }
    }

    /// y [B, rows] = beta * y + x [B, cols] x W^T (one row goes to oneDNN's matrix-vector kernels).
    private func product(_ w: UnsafePointer<Float>, rows: Int, cols: Int, x: UnsafePointer<Float>, batch: Int,
                         y: UnsafeMutablePointer<Float>, ldy: Int, beta: Float) {
        gemm(transposeA: false, transposeB: true, m: batch, n: rows, k: cols, a: x, lda: cols, b: w, ldb: cols,
             beta: beta, c: y, ldc: ldy)
    }

    private func validate(token: Int) throws {
        guard token >= 0, token < configuration.vocabularySize else {
            throw ModelError.tokenOutOfRange(token: token, vocabularySize: configuration.vocabularySize)
        }
    }

    private func validate(state: LSTMState, batch: Int, logits: Int?) throws {
        guard batch > 0, state.batchSize == batch, state.layerCount == configuration.layerCount,
              state.hiddenSize == configuration.hiddenSize else {
            throw ModelError.shapeMismatch("state is \(state.layerCount) layers x \(state.batchSize) rows x \(state.hiddenSize), step needs \(configuration.layerCount) x \(batch) x \(configuration.hiddenSize)")
        }
        if let logits, logits < batch * configuration.vocabularySize {
            throw ModelError.shapeMismatch("logits buffer holds \(logits) floats, needs \(batch * configuration.vocabularySize)")
        }
    }
}
