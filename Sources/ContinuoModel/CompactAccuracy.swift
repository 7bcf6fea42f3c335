import ContinuoRandom

/// Measures what the int8 inference path costs in accuracy relative to float32.
public enum CompactAccuracy {
    public struct Report: Sendable, CustomStringConvertible {
        public let steps: Int
        public let maxAbsLogitDifference: Float
        public let meanKL: Double
        public let maxKL: Double
        /// Steps where both paths put their highest logit on the same token.
        public let argmaxAgreement: Double

        public var description: String {
            "steps \(steps): max |dlogit| \(maxAbsLogitDifference), KL mean \(meanKL) max \(maxKL) nats, argmax agreement \(argmaxAgreement * 100)%"
        }
    }

    /// KL(softmax(p) || softmax(q)) in nats, computed in double precision.
    public static func klDivergence(logitsP: [Float], logitsQ: [Float]) -> Double {
        func logSoftmax(_ z: [Float]) -> [Double] {
            let m = Double(z.max() ?? 0)
            let logSum = mathLog(z.reduce(0.0) { $0 + mathExp(Double($1) - m) }) + m
            return z.map { Double($0) - logSum }
        }
        let lp = logSoftmax(logitsP), lq = logSoftmax(logitsQ)
        return zip(lp, lq).reduce(0.0) { $0 + mathExp($1.0) * ($1.0 - $1.1) }
    }

    /// Runs float32 and int8 inference side by side for `steps` tokens sampled (seeded) from the
    /// float32 model's own distribution, as the daemon would feed it.
    public static func measure(model: LSTMModel, steps: Int, seed: UInt64 = 1, primer: [Int] = [0]) throws -> Report {
        let reference = LSTMInference(model: model, precision: .float32, maxBatch: 1)
        let compact = LSTMInference(model: model, precision: .int8, maxBatch: 1)
        var referenceState = reference.makeState(), compactState = compact.makeState()
        let V = model.configuration.vocabularySize
        var p = [Float](repeating: 0, count: V), q = p
        var random = SeededRandom(seed: seed)
        var token = primer.first ?? 0
        var maxDifference: Float = 0, klSum = 0.0, klMax = 0.0, agree = 0
        for index in 0..<steps {
            if index < primer.count { token = primer[index] }
            try p.withUnsafeMutableBufferPointer { try reference.step(token: token, state: &referenceState, logits: $0) }
            try q.withUnsafeMutableBufferPointer { try compact.step(token: token, state: &compactState, logits: $0) }
            maxDifference = max(maxDifference, zip(p, q).map { abs($0 - $1) }.max() ?? 0)
            let kl = klDivergence(logitsP: p, logitsQ: q)
            klSum += kl
            klMax = max(klMax, kl)
            if p.indices.max(by: { p[$0] < p[$1] }) == q.indices.max(by: { q[$0] < q[$1] }) { agree += 1 }
            token = sample(logits: p, random: &random)
        }
        return Report(steps: steps, maxAbsLogitDifference: maxDifference, meanKL: klSum / Double(max(1, steps)),
                      maxKL: klMax, argmaxAgreement: Double(agree) / Double(max(1, steps)))
    }

    static func sample(logits: [Float], random: inout SeededRandom) -> Int {
        let m = Double(logits.max() ?? 0)
        let weights = logits.map { mathExp(Double($0) - m) }
        var u = Double(random.nextUnitFloat()) * weights.reduce(0, +)
        for (index, weight) in weights.enumerated() {
            u -= weight
            if u < 0 { return index }
        }
        return logits.count - 1
    }
}
