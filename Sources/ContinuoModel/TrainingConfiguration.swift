/// Hyper-parameters of `LSTMTrainer`. Batches are B rows of L consecutive tokens.
public struct TrainingConfiguration: Sendable, Hashable {
    public var batchSize: Int
    public var sequenceLength: Int
    public var schedule: LearningRateSchedule
    public var weightDecay: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// Global gradient-norm clip; 0 or less disables clipping.
    public var gradientClipNorm: Float
    /// Dropout probability between LSTM layers and before the head (training only).
    public var dropout: Float
    /// Seeds the dropout generator.
    public var seed: UInt64
    /// Operand precision of the large matrix products (master weights, gradients, AdamW and the
    /// loss stay float32 either way).
    public var precision: TrainingPrecision

    public init(batchSize: Int = 64, sequenceLength: Int = 128, schedule: LearningRateSchedule = .init(),
                weightDecay: Float = 0.01, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                gradientClipNorm: Float = 1.0, dropout: Float = 0.1, seed: UInt64 = 0x5EED,
                precision: TrainingPrecision = .fp32) {
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.schedule = schedule
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.gradientClipNorm = gradientClipNorm
        self.dropout = dropout
        self.seed = seed
        self.precision = precision
    }

    func validate() throws {
        guard batchSize > 0, sequenceLength > 0, batchSize * sequenceLength <= 1 << 24 else {
            throw ModelError.invalidConfiguration("batch \(batchSize) x sequence \(sequenceLength) out of range")
        }
        guard dropout >= 0, dropout < 1 else {
            throw ModelError.invalidConfiguration("dropout \(dropout) must be in [0, 1)")
        }
        guard beta1 >= 0, beta1 < 1, beta2 >= 0, beta2 < 1, epsilon > 0 else {
            throw ModelError.invalidConfiguration("Adam betas must be in [0, 1) and epsilon > 0")
        }
    }
}

/// What the trainer's large products are formed from: float32 operands, or bf16 operands with
/// float32 accumulation (mixed precision, as PyTorch's bf16 autocast).
public enum TrainingPrecision: String, CaseIterable, Sendable, Hashable {
    case fp32, bf16

    /// bf16 where the CPU multiplies bf16 natively (AVX512_BF16 or AMX); elsewhere oneDNN
    /// emulates it more slowly than float32, so fp32.
    public static var preferred: TrainingPrecision { CPUFeatures.current.hasNativeBF16 ? .bf16 : .fp32 }
}
