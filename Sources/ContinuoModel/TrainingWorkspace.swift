/// Shape of one training/evaluation window: `batch` rows of `length` tokens, processed
/// time-major (row index t * batch + b), so each timestep's batch is contiguous for the GEMMs.
struct WindowShape {
    let batch: Int
    let length: Int
    var rows: Int { batch * length }
}

/// Everything the forward pass caches for backward, plus backward scratch, allocated once for
/// the largest window (`rowCapacity` = B * L rows). Shapes per buffer are in the comments.
final class TrainingWorkspace {
    let rowCapacity: Int
    let batchCapacity: Int
    /// [rows] time-major input and target tokens.
    let tokens: UnsafeMutablePointer<Int32>
    let targets: UnsafeMutablePointer<Int32>
    /// [V, 4H] layer-0 gate pre-activation per token (embedding x W_ih0^T + both biases).
    let inputTable: FloatBuffer
    /// Per layer, [4H]: bias_ih + bias_hh (layers above 0; layer 0's live in the table).
    let combinedBias: [FloatBuffer]
    /// Per layer, [rows, 4H]: gate activations i, f, g, o.
    let gates: [FloatBuffer]
    /// Per layer, [(rows + B), H]: h_{t-1} for t = 0 is the first B rows, h_t follows.
    let hidden: [FloatBuffer]
    /// Per layer, [(rows + B), H]: c, laid out like `hidden`.
    let cell: [FloatBuffer]
    /// Per layer, [rows, H]: tanh(c_t), reused by backward.
    let tanhCell: [FloatBuffer]
    /// Per dropout site (inputs of layers 1..N-1, then the head), [rows, H]: mask and masked input.
    let dropoutMasks: [FloatBuffer]
    let droppedInputs: [FloatBuffer]
    /// [rows, V]: logits, then dLoss/dlogits in place.
    let logits: FloatBuffer
    /// [rows, 4H]: dLoss/d(gate pre-activations) of the layer being back-propagated.
    let gateGradients: FloatBuffer
    /// [rows, H]: dLoss/d(output of the layer being back-propagated), then of its input.
    let outputGradients: FloatBuffer
    /// [B, H]: gradient flowing from step t+1 into h_t and c_t.
    let hiddenGradientNext: FloatBuffer
    let cellGradientNext: FloatBuffer
    /// [V, 4H]: gate gradients summed per input token (embedding/W_ih0 backward).
    let tokenGateGradients: FloatBuffer
    /// [4H]: column sums of gate gradients (bias gradient).
    let biasGradient: FloatBuffer
    /// [rows] of 1: column sums via GEMV.
    let ones: FloatBuffer

    init(configuration c: LSTMConfiguration, batch: Int, length: Int, dropoutSites: Int) {
        let rows = batch * length, H = c.hiddenSize, G = c.gateWidth, V = c.vocabularySize
        rowCapacity = rows
        batchCapacity = batch
        tokens = .allocate(capacity: rows)
        tokens.initialize(repeating: 0, count: rows)
        targets = .allocate(capacity: rows)
        targets.initialize(repeating: 0, count: rows)
        inputTable = FloatBuffer(count: V * G)
        combinedBias = (0..<c.layerCount).map { _ in FloatBuffer(count: G) }
        gates = (0..<c.layerCount).map { _ in FloatBuffer(count: rows * G) }
        hidden = (0..<c.layerCount).map { _ in FloatBuffer(count: (rows + batch) * H) }
        cell = (0..<c.layerCount).map { _ in FloatBuffer(count: (rows + batch) * H) }
        tanhCell = (0..<c.layerCount).map { _ in FloatBuffer(count: rows * H) }
        dropoutMasks = (0..<dropoutSites).map { _ in FloatBuffer(count: rows * H) }
        droppedInputs = (0..<dropoutSites).map { _ in FloatBuffer(count: rows * H) }
        logits = FloatBuffer(count: rows * V)
        gateGradients = FloatBuffer(count: rows * G)
        outputGradients = FloatBuffer(count: rows * H)
        hiddenGradientNext = FloatBuffer(count: batch * H)
        cellGradientNext = FloatBuffer(count: batch * H)
        tokenGateGradients = FloatBuffer(count: V * G)
        biasGradient = FloatBuffer(count: G)
        ones = FloatBuffer(count: rows)
        ones.pointer.update(repeating: 1, count: rows)
    }

    deinit {
        tokens.deallocate()
        targets.deallocate()
    }
}
