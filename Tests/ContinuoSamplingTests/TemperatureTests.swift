import Testing
@testable import ContinuoSampling

@Suite struct TemperatureTests {
    static let tiny: [Float] = [0.1, 0.2, 0.3, 0.4]

    func distribution(_ stages: [SamplerStage], _ logits: [Float] = ContinuoSamplingTests.logits(of: tiny)) -> [Float] {
        var chain = SamplerChain(stages: stages, seed: 1, vocabularySize: logits.count)
        return chain.probabilities(logits: logits)
    }

    @Test func zeroOrNegativeTemperatureIsArgmax() {
        #expect(close(distribution([.temperature(0)]), [0, 0, 0, 1]))
        #expect(close(distribution([.temperature(-1)]), [0, 0, 0, 1]))
        // Ties go to the lowest token.
        #expect(close(distribution([.temperature(0)], [1, 3, 3, 0]), [0, 1, 0, 0]))
    }

    @Test func temperatureLimitIsArgmax() {
        let p = distribution([.temperature(0.01)])
        #expect(p[3] > 0.999_999)
        var chain = SamplerChain(stages: [.temperature(0.001)], seed: 9, vocabularySize: 4)
        for _ in 0..<200 { #expect(chain.sample(logits: logits(of: Self.tiny)) == 3) }
    }

    @Test(arguments: 0..<20)
    func zeroTemperatureSamplesTheArgmaxOfRandomLogits(trial: Int) {
        var source = LogitSource(seed: UInt64(300 + trial))
        let logits = source.next()
        var chain = SamplerChain(stages: [.temperature(0)], seed: UInt64(trial))
        #expect(chain.sample(logits: logits) == logits.indices.max { logits[$0] < logits[$1] })
    }

    @Test func halfTemperatureSquaresProbabilities() {
        #expect(close(distribution([.temperature(0.5)]), [0.01 / 0.3, 0.04 / 0.3, 0.09 / 0.3, 0.16 / 0.3]))
    }

    @Test func neutralTemperatureKeepsTheSoftmax() {
        #expect(close(distribution([]), [0.1, 0.2, 0.3, 0.4]))
        #expect(close(distribution([.temperature(1)]), [0.1, 0.2, 0.3, 0.4]))
        #expect(close(distribution([.temperature(.nan)]), [0.1, 0.2, 0.3, 0.4]))
    }

    @Test func drawsFollowTheSoftmax() {
        var chain = SamplerChain(stages: [.temperature(1)], seed: 2024, vocabularySize: 4)
        let input = logits(of: Self.tiny)
        var counts = [0, 0, 0, 0]
        let draws = 20_000
        for _ in 0..<draws { counts[chain.sample(logits: input)] += 1 }
        // One standard deviation of a frequency here is at most 0.0035; allow four.
        for (count, expected) in zip(counts, Self.tiny) {
            #expect(abs(Double(count) / Double(draws) - Double(expected)) < 0.014)
        }
    }

    @Test func highTemperatureFlattens() {
        var previousMax: Float = 1, previousMin: Float = 0
        for t: Float in [0.5, 1, 2, 4, 8, 100] {
            let p = distribution([.temperature(t)])
            #expect(p.max()! < previousMax)
            #expect(p.min()! > previousMin)
            previousMax = p.max()!
            previousMin = p.min()!
        }
        #expect(distribution([.temperature(1000)]).allSatisfy { abs($0 - 0.25) < 0.001 })
        #expect(distribution([.temperature(.infinity)]).allSatisfy { abs($0 - 0.25) < 1e-6 })
    }
}
