import ContinuoEncoding
import Testing
@testable import ContinuoSampling

@Suite struct RepetitionPenaltyTests {
    /// Only a few tokens possible, so the expectation is a small softmax by hand.
    func sparse(_ values: [Int: Float]) -> [Float] {
        var logits = [Float](repeating: -.infinity, count: T.vocabulary)
        for (token, logit) in values { logits[token] = logit }
        return logits
    }

    @Test func byHand() {
        let logits = sparse([T.on(60): 2, T.on(62): -1, T.on(64): 1, T.shift(1): 0.5])
        var chain = SamplerChain(stages: [.repetitionPenalty(penalty: 2, window: 8)], seed: 1)
        chain.prime([T.on(60), T.shift(1), T.on(62)])
        // Positive logit divided, negative multiplied; the SHIFT repeats but is left alone.
        let expected = softmax(sparse([T.on(60): 1, T.on(62): -2, T.on(64): 1, T.shift(1): 0.5]))
        #expect(close(chain.probabilities(logits: logits), expected))

        // A window of one note-on sees only ON(62).
        chain.stages = [.repetitionPenalty(penalty: 2, window: 1)]
        let recent = softmax(sparse([T.on(60): 2, T.on(62): -2, T.on(64): 1, T.shift(1): 0.5]))
        #expect(close(chain.probabilities(logits: logits), recent))
    }

    @Test func neutralValuesChangeNothing() {
        let logits = sparse([T.on(60): 2, T.on(62): -1, T.on(64): 1])
        let plain = softmax(logits)
        for stage: SamplerStage in [.repetitionPenalty(penalty: 1, window: 8), .repetitionPenalty(penalty: 3, window: 0),
                                    .repetitionPenalty(penalty: 0, window: 8), .repetitionPenalty(penalty: .nan, window: 8)] {
            var chain = SamplerChain(stages: [stage], seed: 1)
            chain.prime([T.on(60), T.on(62)])
            #expect(close(chain.probabilities(logits: logits), plain))
            #expect(stage.isNeutral)
        }
    }

    @Test(arguments: 0..<20)
    func lowersRecentPitchesAndKeepsTheOthersInProportion(trial: Int) {
        var source = LogitSource(seed: UInt64(400 + trial), spread: 6)
        let logits = source.next()
        var played = SeededRandom(seed: UInt64(trial))
        let history = (0..<12).map { _ in 40 + Int(played.next() % 30) }
        var plainChain = SamplerChain(stages: [], seed: 1)
        var chain = SamplerChain(stages: [.repetitionPenalty(penalty: 1.5, window: 8)], seed: 1)
        chain.prime(history.map(T.on))
        let penalized = Set(history.suffix(8).map(T.on))
        let before = plainChain.probabilities(logits: logits)
        let after = chain.probabilities(logits: logits)
        // Everything not penalised gains by one common factor: relative order and ratios stay.
        let others = before.indices.filter { !penalized.contains($0) }
        let factor = after[others[0]] / before[others[0]]
        #expect(factor >= 1)
        for token in others { #expect(abs(after[token] / before[token] - factor) < 1e-3 * factor) }
        // Recent pitches lose ground against that.
        for token in penalized where logits[token] != 0 {
            #expect(after[token] / before[token] < factor)
        }
    }
}

@Suite struct NoRepeatNGramTests {
    func banned(_ history: [Int], n: Int, window: Int) -> [Int] {
        var chain = SamplerChain(stages: [.noRepeatNGram(n: n, window: window)], seed: 1, vocabularySize: 5)
        chain.prime(history)
        let p = chain.probabilities(logits: [0, 0, 0, 0, 0])
        return p.indices.filter { p[$0] == 0 }
    }

    @Test func byHand() {
        let history = [0, 1, 2, 0, 1]
        #expect(banned(history, n: 3, window: 100) == [2])   // 0 1 -> 2 seen
        #expect(banned(history, n: 2, window: 100) == [2])   // 1 -> 2 seen
        #expect(banned(history, n: 1, window: 100) == [0, 1, 2])
        #expect(banned(history, n: 3, window: 3) == [])      // only "2 0 1" in the window
        #expect(banned(history, n: 2, window: 3) == [])      // "2 0", "0 1": nothing follows 1
        #expect(banned(history, n: 2, window: 4) == [2])     // "1 2" back in view
        #expect(banned([3, 3, 3], n: 2, window: 100) == [3])
        #expect(banned(history, n: 6, window: 100) == [])    // longer than the history
        #expect(banned(history, n: 0, window: 100) == [])
    }

    @Test func neverRepeatsAnNGramInsideTheWindow() {
        let n = 3, window = 48
        // A few tokens dominate: without the ban the stream cycles on them.
        let favourites: Set<Int> = [T.shift(3), T.vel(10), T.on(60), T.off(60), T.on(64), T.off(64)]
        func run(_ stages: [SamplerStage]) -> [Int] {
            var chain = SamplerChain(stages: stages, seed: 11)
            var source = LogitSource(seed: 17) { favourites.contains($0) ? 8 : 0 }
            return generate(&chain, steps: 3000, logits: &source)
        }
        func repeats(_ tokens: [Int]) -> Int {
            var count = 0
            for end in (n - 1)..<tokens.count {
                let gram = Array(tokens[(end - n + 1)...end])
                let history = Array(tokens[max(0, end - window)..<end])
                if history.count >= n, (0...(history.count - n)).contains(where: { Array(history[$0..<($0 + n)]) == gram }) {
                    count += 1
                }
            }
            return count
        }
        #expect(repeats(run([.noteHygiene, .banEnd])) > 500)
        #expect(repeats(run([.noteHygiene, .banEnd, .noRepeatNGram(n: n, window: window)])) == 0)
    }
}
