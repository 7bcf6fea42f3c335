import CContinuoKernels

/// AdamW (decoupled weight decay, PyTorch semantics) over the flat layout. Parameters, gradients
/// and both moments share `ParameterLayout`, so the update is one kernel call per tensor
/// (per tensor only because decay is skipped for biases and the embedding).
enum AdamW {
    static func update(layout: ParameterLayout, parameters: UnsafeMutablePointer<Float>,
                       gradients: UnsafePointer<Float>, firstMoment: UnsafeMutablePointer<Float>,
                       secondMoment: UnsafeMutablePointer<Float>, step: Int, learningRate: Float,
                       configuration t: TrainingConfiguration, gradientScale: Float) {
        let bias1 = Float(1 - mathPow(Double(t.beta1), Double(step + 1)))
        let bias2 = Float(1 - mathPow(Double(t.beta2), Double(step + 1)))
        for slot in layout.tensors {
            let o = slot.offset
            ck_adamw(slot.count, parameters + o, gradients + o, firstMoment + o, secondMoment + o,
                     learningRate, t.beta1, t.beta2, t.epsilon, slot.isDecayed ? t.weightDecay : 0,
                     bias1, bias2, gradientScale)
        }
    }

    /// Global-norm clipping as a scale folded into the update: min(1, maxNorm / norm).
    static func clipScale(gradientNorm: Double, maxNorm: Float) -> Float {
        guard maxNorm > 0, gradientNorm > Double(maxNorm) else { return 1 }
        return Float(Double(maxNorm) / gradientNorm)
    }
}
