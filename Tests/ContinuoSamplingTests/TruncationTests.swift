import Testing
@testable import ContinuoSampling

/// Hand-computed cases in the style of llama.cpp's tests/test-sampling.cpp, then properties
/// over random logits of the full vocabulary.
@Suite struct TruncationTests {
    static let tiny: [Float] = [0.1, 0.2, 0.3, 0.4]

    func distribution(_ stages: [SamplerStage], _ probabilities: [Float] = tiny) -> [Float] {
        var chain = SamplerChain(stages: stages, seed: 1, vocabularySize: probabilities.count)
        return chain.probabilities(logits: logits(of: probabilities))
    }

    @Test func topKByHand() {
        #expect(close(distribution([.topK(1)]), [0, 0, 0, 1]))
        #expect(close(distribution([.topK(3)]), [0, 2.0 / 9, 3.0 / 9, 4.0 / 9]))
        #expect(close(distribution([.topK(4)]), [0.1, 0.2, 0.3, 0.4]))
        #expect(close(distribution([.topK(0)]), [0.1, 0.2, 0.3, 0.4]))
        #expect(close(distribution([.topK(-3)]), [0.1, 0.2, 0.3, 0.4]))
    }

    @Test func topKBreaksTiesByLowestToken() {
        var chain = SamplerChain(stages: [.topK(3)], seed: 1, vocabularySize: 6)
        let p = chain.probabilities(logits: [1, 2, 2, 2, 2, 0])
        #expect(close(p, [0, 1.0 / 3, 1.0 / 3, 1.0 / 3, 0, 0]))
    }

    @Test func topPByHand() {
        // Boundaries are kept off the cumulative sums (0.4, 0.7, 0.9): exactly at p is rounding's call.
        #expect(close(distribution([.topP(0)]), [0, 0, 0, 1]))
        #expect(close(distribution([.topP(0.35)]), [0, 0, 0, 1]))
        #expect(close(distribution([.topP(0.65)]), [0, 0, 3.0 / 7, 4.0 / 7]))
        #expect(close(distribution([.topP(0.75)]), [0, 2.0 / 9, 3.0 / 9, 4.0 / 9]))
        #expect(close(distribution([.topP(0.95)]), [0.1, 0.2, 0.3, 0.4]))
        #expect(close(distribution([.topP(1)]), [0.1, 0.2, 0.3, 0.4]))
    }

    @Test func topKThenTopPSeeTheTruncatedDistribution() {
        // After top-3 the masses are 4/9, 3/9, 2/9; 0.7 of that needs two tokens (7/9 >= 0.7).
        #expect(close(distribution([.topK(3), .topP(0.7)]), [0, 0, 3.0 / 7, 4.0 / 7]))
    }

    @Test(arguments: 0..<40)
    func topKLeavesExactlyKOfTheLargest(trial: Int) {
        var source = LogitSource(seed: UInt64(100 + trial), spread: 10)
        let logits = source.next()
        let k = 1 + trial * 7 % 60
        var chain = SamplerChain(stages: [.topK(k)], seed: 1)
        let p = chain.probabilities(logits: logits)
        let kept = Set(p.indices.filter { p[$0] > 0 })
        let largest = Set(logits.indices.sorted { logits[$0] > logits[$1] }.prefix(k))
        #expect(kept.count == k)
        #expect(kept == largest)
        // Inside the kept set the model's ratios are untouched.
        let reference = softmax(logits.indices.map { kept.contains($0) ? logits[$0] : -.infinity })
        #expect(close(p, reference))
    }

    @Test(arguments: 0..<40)
    func topPKeepsTheSmallestSetReachingP(trial: Int) {
        var source = LogitSource(seed: UInt64(200 + trial), spread: Float(2 + trial % 8))
        let logits = source.next()
        let target = 0.05 + 0.9 * Double(trial) / 40
        let original = softmax(logits)
        let order = logits.indices.sorted { logits[$0] > logits[$1] }
        var chain = SamplerChain(stages: [.topP(Float(target))], seed: 1)
        let p = chain.probabilities(logits: logits)
        let kept = p.indices.filter { p[$0] > 0 }
        // The kept set is the most likely prefix ...
        #expect(Set(kept) == Set(order.prefix(kept.count)))
        let mass = order.prefix(kept.count).map { original[$0] }.reduce(0, +)
        let massWithoutLast = mass - original[order[kept.count - 1]]
        // ... reaching p, and one fewer would not (Float sums inside the chain: small slack).
        #expect(mass >= target - 1e-5)
        #expect(massWithoutLast < target + 1e-5)
    }
}
