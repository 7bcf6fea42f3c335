/// Linear warmup to `peak`, then cosine or linear decay to `peak * minimumFraction` at
/// `totalSteps`; constant afterwards. A pure function of the step, so resumed runs agree.
public struct LearningRateSchedule: Sendable, Hashable {
    public enum Decay: String, Sendable, Hashable { case cosine, linear, constant }

    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var minimumFraction: Float
    public var decay: Decay

    public init(peak: Float = 2e-3, warmupSteps: Int = 200, totalSteps: Int = 20_000,
                minimumFraction: Float = 0.1, decay: Decay = .cosine) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimumFraction = minimumFraction
        self.decay = decay
    }

    /// Learning rate for 0-based optimiser step `step`.
    public func learningRate(atStep step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step + 1) / Float(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Double(step - warmupSteps) / Double(span))
        let floor = Double(peak * minimumFraction), top = Double(peak)
        switch decay {
        case .constant: return peak
        case .linear: return Float(top - (top - floor) * progress)
        case .cosine: return Float(floor + (top - floor) * 0.5 * (1 + mathCos(Double.pi * progress)))
        }
    }
}
