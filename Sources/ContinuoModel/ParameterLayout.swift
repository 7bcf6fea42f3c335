/// One named tensor inside the flat parameter buffer.
public struct TensorSlot: Sendable, Hashable {
    public let name: String
    public let shape: [Int]
    /// Offset in floats from the start of the flat buffer (a multiple of 16 = 64 bytes).
    public let offset: Int
    public let count: Int
    /// AdamW weight decay applies to matrices only, not to biases or the embedding.
    public let isDecayed: Bool
}

/// The llm.c-style layout shared by parameters, gradients and both Adam moments: one flat float
/// buffer, named views into it, PyTorch `nn.LSTM` names and gate order (i, f, g, o).
public struct ParameterLayout: Sendable {
    public let configuration: LSTMConfiguration
    /// In storage order: embedding, per layer (weight_ih, weight_hh, bias_ih, bias_hh), head.
    public let tensors: [TensorSlot]
    /// Buffer length in floats, including alignment padding (which stays zero).
    public let totalCount: Int
    /// Real parameters, excluding padding.
    public let parameterCount: Int

    let embedding: TensorSlot
    let weightIH: [TensorSlot]
    let weightHH: [TensorSlot]
    let biasIH: [TensorSlot]
    let biasHH: [TensorSlot]
    let headWeight: TensorSlot
    let headBias: TensorSlot

    public init(configuration c: LSTMConfiguration) {
        configuration = c
        var slots: [TensorSlot] = []
        var cursor = 0
        func add(_ name: String, _ shape: [Int], decayed: Bool) -> TensorSlot {
            let count = shape.reduce(1, *)
            let slot = TensorSlot(name: name, shape: shape, offset: cursor, count: count, isDecayed: decayed)
            cursor += (count + 15) / 16 * 16
            slots.append(slot)
            return slot
        }
        let gates = c.gateWidth, hidden = c.hiddenSize
        embedding = add("embedding.weight", [c.vocabularySize, c.embeddingSize], decayed: false)
        var wih: [TensorSlot] = [], whh: [TensorSlot] = [], bih: [TensorSlot] = [], bhh: [TensorSlot] = []
        for layer in 0..<c.layerCount {
            wih.append(add("lstm.weight_ih_l\(layer)", [gates, c.inputSize(ofLayer: layer)], decayed: true))
            whh.append(add("lstm.weight_hh_l\(layer)", [gates, hidden], decayed: true))
            bih.append(add("lstm.bias_ih_l\(layer)", [gates], decayed: false))
            bhh.append(add("lstm.bias_hh_l\(layer)", [gates], decayed: false))
        }
        weightIH = wih; weightHH = whh; biasIH = bih; biasHH = bhh
        headWeight = add("head.weight", [c.vocabularySize, hidden], decayed: true)
        headBias = add("head.bias", [c.vocabularySize], decayed: false)
        tensors = slots
        totalCount = cursor
        parameterCount = slots.reduce(0) { $0 + $1.count }
    }

    public func slot(named name: String) -> TensorSlot? { tensors.first { $0.name == name } }
}
