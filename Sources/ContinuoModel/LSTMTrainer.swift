import CContinuoKernels
import CContinuoMath
import ContinuoRandom

/// One window of training or evaluation data. `inputs`/`targets` are row-major [B, L]: row b
/// holds L consecutive tokens of stream b. `resetRows[b]` says stream b starts afresh (its carried
/// state is zeroed); otherwise the window continues where row b's previous window ended.
public struct TokenWindow: Sendable {
    public var inputs: [Int32]
    public var targets: [Int32]
    public var resetRows: [Bool]

    public init(inputs: [Int32], targets: [Int32], resetRows: [Bool]) {
        self.inputs = inputs
        self.targets = targets
        self.resetRows = resetRows
    }
}

/// Truncated-BPTT trainer: mini-batches of B streams x L steps, state carried between windows,
/// dropout, global-norm clipping, AdamW with a warmup/decay schedule.
///
/// Parameters, gradients and Adam moments live in ONE allocation of 4 x `layout.totalCount`
/// floats sharing `ParameterLayout`. Not thread-safe: use from one thread (the matrix products may use several).
public final class LSTMTrainer {
    public let configuration: LSTMConfiguration
    public let training: TrainingConfiguration
    public let layout: ParameterLayout
    /// Optimiser steps taken so far (drives the schedule and Adam's bias correction).
    public internal(set) var step: Int
    /// Gradient norm (before clipping) of the last `trainStep`.
    public private(set) var lastGradientNorm: Double = 0
    /// Learning rate used by the last `trainStep`.
    public private(set) var lastLearningRate: Float = 0
    /// Free-form metadata carried into model files and checkpoints.
    public var metadata: [String: String]

    let storage: FloatBuffer
    let params: UnsafeMutablePointer<Float>
    let grads: UnsafeMutablePointer<Float>
    let firstMoment: UnsafeMutablePointer<Float>
    let secondMoment: UnsafeMutablePointer<Float>
    let workspace: TrainingWorkspace
    /// The parameters rounded to bf16 before every forward pass when training in bf16 (nil in
    /// fp32): the operand the weight products read, so weights are rounded once per pass rather
    /// than once per product. Stored as bf16 where the CPU multiplies bf16, else as bf16-valued
    /// float32 for the float32 kernels.
    let roundedParams: UnsafeMutableRawPointer?
    let roundedType: cm_type
    var random: SeededRandom
    /// State carried across consecutive training windows, one row per stream.
    var trainingState: LSTMState
    var evaluationState: LSTMState?
    /// Per layer, the input used by the last forward pass (nil for layer 0); then the head input.
    var layerInputs: [UnsafePointer<Float>?]
    var headInput: UnsafePointer<Float>?

    public init(model: LSTMModel, configuration training: TrainingConfiguration) throws {
        try training.validate()
        configuration = model.configuration
        self.training = training
        layout = model.layout
        metadata = model.metadata
        let count = layout.totalCount
        storage = FloatBuffer(count: 4 * count)
        params = storage.pointer
        grads = storage.pointer + count
        firstMoment = storage.pointer + 2 * count
        secondMoment = storage.pointer + 3 * count
        let destination = storage.pointer
        model.parameters.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: count) }
        step = 0
        random = SeededRandom(seed: training.seed)
        trainingState = LSTMState(layerCount: configuration.layerCount, batchSize: training.batchSize,
                                  hiddenSize: configuration.hiddenSize)
        workspace = TrainingWorkspace(configuration: configuration, batch: training.batchSize,
                                      length: training.sequenceLength, dropoutSites: configuration.layerCount)
        layerInputs = Array(repeating: nil, count: configuration.layerCount)
        switch (training.precision, cm_bf16_native() != 0) {
        case (.fp32, _):
            roundedParams = nil
            roundedType = cm_f32
        case (.bf16, true):
            roundedParams = .allocate(byteCount: 2 * count, alignment: 64)
            roundedType = cm_bf16
        case (.bf16, false):
            roundedParams = .allocate(byteCount: 4 * count, alignment: 64)
            roundedType = cm_f32_bf16_valued
        }
    }

    deinit { roundedParams?.deallocate() }

    var bf16: Bool { roundedParams != nil }

    /// A weight matrix as the products read it: the bf16 copy in bf16, else the float32 master.
    func weightOperand(_ tensor: TensorSlot) -> MatrixOperand {
        guard let roundedParams else { return .float32(params + tensor.offset) }
        let width = roundedType == cm_bf16 ? 2 : 4
        return MatrixOperand(pointer: UnsafeRawPointer(roundedParams + width * tensor.offset), type: roundedType)
    }

    /// A snapshot of the current parameters as a model value.
    public var model: LSTMModel {
        let values = Array(UnsafeBufferPointer(start: params, count: layout.totalCount))
        // Cannot fail: the configuration and count come from a valid model.
        return try! LSTMModel(configuration: configuration, parameters: values, metadata: metadata)
    }

    /// A copy of the gradients computed by the last `trainStep`/`computeGradients`.
    public var gradients: [Float] { Array(UnsafeBufferPointer(start: grads, count: layout.totalCount)) }

    /// One optimiser step on a [B, L] window; returns the mean cross-entropy (nats per token).
    /// A non-finite gradient norm skips the update (the loss is still returned).
    @discardableResult
    public func trainStep(_ window: TokenWindow) throws -> Float {
        let loss = try computeGradients(window)
        let norm = ck_sum_squares(layout.totalCount, grads).squareRoot()
        lastGradientNorm = norm
        guard norm.isFinite else { return loss }
        let learningRate = training.schedule.learningRate(atStep: step)
        lastLearningRate = learningRate
        AdamW.update(layout: layout, parameters: params, gradients: grads, firstMoment: firstMoment,
                     secondMoment: secondMoment, step: step, learningRate: learningRate,
                     configuration: training,
                     gradientScale: AdamW.clipScale(gradientNorm: norm, maxNorm: training.gradientClipNorm))
        step += 1
        return loss
    }

    @discardableResult
    public func trainStep(inputs: [Int32], targets: [Int32], resetRows: [Bool]) throws -> Float {
        try trainStep(TokenWindow(inputs: inputs, targets: targets, resetRows: resetRows))
    }

    /// Forward + backward without updating parameters (gradient checks, accumulation). Advances
    /// the carried training state and the dropout generator like `trainStep`.
    @discardableResult
    public func computeGradients(_ window: TokenWindow) throws -> Float {
        let shape = try loadWindow(window, expectedBatch: training.batchSize, expectedLength: training.sequenceLength)
        trainingState.applyResets(window.resetRows)
        grads.update(repeating: 0, count: layout.totalCount)
        let lossSum = forward(shape, state: &trainingState, dropoutActive: true, gradScale: 1 / Float(shape.rows))
        backward(shape)
        return Float(lossSum / Double(shape.rows))
    }

    /// Loss of a window without dropout or updates, carrying a separate evaluation state across
    /// calls. Any B' <= B and B' x L' <= B x L is accepted (L' = inputs.count / B').
    public func evaluate(_ window: TokenWindow) throws -> (lossSum: Double, tokenCount: Int) {
        let batch = window.resetRows.count
        guard batch > 0, batch <= training.batchSize, window.inputs.count % batch == 0 else {
            throw ModelError.shapeMismatch("evaluation window has \(window.inputs.count) tokens for \(batch) rows (at most \(training.batchSize))")
        }
        let shape = try loadWindow(window, expectedBatch: batch, expectedLength: window.inputs.count / batch)
        if evaluationState?.batchSize != batch {
            evaluationState = LSTMState(layerCount: configuration.layerCount, batchSize: batch,
                                        hiddenSize: configuration.hiddenSize)
        }
        evaluationState!.applyResets(window.resetRows)
        let lossSum = forward(shape, state: &evaluationState!, dropoutActive: false, gradScale: 0)
        return (lossSum, shape.rows)
    }

    /// Mean loss in nats per token over `windows` (no dropout), starting from a fresh evaluation state.
    public func validationLoss(_ windows: some Sequence<TokenWindow>) throws -> Double {
        evaluationState = nil
        var total = 0.0, count = 0
        for window in windows {
            let (sum, n) = try evaluate(window)
            total += sum
            count += n
        }
        return count == 0 ? 0 : total / Double(count)
    }

    /// Forgets the carried training state (all streams restart).
    public func resetTrainingState() {
        trainingState = LSTMState(layerCount: configuration.layerCount, batchSize: training.batchSize,
                                  hiddenSize: configuration.hiddenSize)
    }

    // MARK: - Passes

    /// Full forward pass; returns the summed loss. `state` supplies the initial h/c per row and
    /// receives the final ones.
    func forward(_ shape: WindowShape, state: inout LSTMState, dropoutActive: Bool, gradScale: Float) -> Double {
        let H = configuration.hiddenSize, B = shape.batch, count = shape.rows * H
        if let roundedParams {
            if roundedType == cm_bf16 {
                cm_to_bf16(layout.totalCount, params, roundedParams.assumingMemoryBound(to: UInt16.self))
            } else {
                cm_round_to_bf16_values(layout.totalCount, params, roundedParams.assumingMemoryBound(to: Float.self))
            }
        }
        inputTableForward()
        var input: UnsafePointer<Float>? = nil
        state.hidden.withUnsafeMutableBufferPointer { stateHidden in
            state.cell.withUnsafeMutableBufferPointer { stateCell in
                for layer in 0..<configuration.layerCount {
                    let hidden = workspace.hidden[layer].pointer, cell = workspace.cell[layer].pointer
                    hidden.update(from: stateHidden.baseAddress! + layer * B * H, count: B * H)
                    cell.update(from: stateCell.baseAddress! + layer * B * H, count: B * H)
                    layerInputs[layer] = input
                    recurrentLayerForward(layer: layer, shape, input: input)
                    (stateHidden.baseAddress! + layer * B * H).update(from: hidden + shape.rows * H, count: B * H)
                    (stateCell.baseAddress! + layer * B * H).update(from: cell + shape.rows * H, count: B * H)
                    input = dropoutForward(site: layer, count: count, input: hidden + B * H, active: dropoutActive)
                }
            }
        }
        headInput = input
        return headForward(shape, input: input!, gradScale: gradScale)
    }

    func backward(_ shape: WindowShape) {
        let count = shape.rows * configuration.hiddenSize
        let top = configuration.layerCount - 1
        headBackward(shape, input: headInput!)
        dropoutBackward(site: top, count: count)
        for layer in stride(from: top, through: 0, by: -1) {
            recurrentLayerBackward(layer: layer, shape, input: layerInputs[layer])
            if layer > 0 { dropoutBackward(site: layer - 1, count: count) }
        }
    }

    /// Validates a window and stores its tokens time-major in the workspace.
    private func loadWindow(_ window: TokenWindow, expectedBatch: Int, expectedLength: Int) throws -> WindowShape {
        let shape = WindowShape(batch: expectedBatch, length: expectedLength)
        guard expectedLength > 0, window.resetRows.count == expectedBatch,
              window.inputs.count == shape.rows, window.targets.count == shape.rows,
              shape.rows <= workspace.rowCapacity, expectedBatch <= workspace.batchCapacity else {
            throw ModelError.shapeMismatch("window needs \(expectedBatch) rows x \(expectedLength) tokens (inputs \(window.inputs.count), targets \(window.targets.count), resetRows \(window.resetRows.count))")
        }
        let V = Int32(configuration.vocabularySize)
        let B = shape.batch, L = shape.length
        try window.inputs.withUnsafeBufferPointer { inputs in
            try window.targets.withUnsafeBufferPointer { targets in
                for b in 0..<B {
                    for t in 0..<L {
                        let input = inputs[b * L + t], target = targets[b * L + t]
                        guard input >= 0, input < V, target >= 0, target < V else {
                            throw ModelError.tokenOutOfRange(token: Int(input < 0 || input >= V ? input : target),
                                                             vocabularySize: Int(V))
                        }
                        workspace.tokens[t * B + b] = input
                        workspace.targets[t * B + b] = target
                    }
                }
            }
        }
        return shape
    }
}

extension LSTMState {
    mutating func applyResets(_ resetRows: [Bool]) {
        for (row, reset) in resetRows.enumerated() where reset { self.reset(row: row) }
    }
}
