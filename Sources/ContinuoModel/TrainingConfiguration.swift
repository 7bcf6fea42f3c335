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

    public init(batchSize: Int = 64, sequenceLength: Int = 128, schedule: LearningRateSchedule = .init(),
                weightDecay: Float = 0.01, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                gradientClipNorm: Float = 1.0, dropout: Float = 0.1, seed: UInt64 = 0x5EED) {
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
