import ContinuoEncoding
import Foundation
import Testing
@testable import ContinuoSampling

@Suite struct ChainTests {
    static let stages: [SamplerStage] = [.noteHygiene, .maxPolyphony(4), .repetitionPenalty(penalty: 1.3, window: 16),
                                         .temperature(0.9), .topK(40), .topP(0.95)]

    func run(seed: UInt64, steps: Int = 300, stages: [SamplerStage] = stages) -> [Int] {
        var chain = SamplerChain(stages: stages, seed: seed)
        var source = LogitSource(seed: 99)
        return generate(&chain, steps: steps, logits: &source)
    }

    @Test func sameSeedSameTokens() {
        #expect(run(seed: 1) == run(seed: 1))
        #expect(run(seed: 1) != run(seed: 2))
    }

    @Test func resetReplaysTheStream() {
        var chain = SamplerChain(stages: Self.stages, seed: 5)
        var source = LogitSource(seed: 99)
        let first = generate(&chain, steps: 200, logits: &source)
        chain.reset()
        #expect(chain.state.step == 0 && chain.state.soundingCount == 0 && chain.state.recentTokenCount == 0)
        source = LogitSource(seed: 99)
        #expect(generate(&chain, steps: 200, logits: &source) == first)
        chain.reset(seed: 6)
        source = LogitSource(seed: 99)
        #expect(generate(&chain, steps: 200, logits: &source) == run(seed: 6, steps: 200))
    }

    @Test func everySampleConsumesOneRandomNumber() {
        // Greedy steps and random steps advance the stream alike, so a live change of
        // temperature does not shift what comes after.
        let logits = logits(of: [0.1, 0.2, 0.3, 0.4])
        var greedy = SamplerChain(stages: [.temperature(0)], seed: 3, vocabularySize: 4)
        var random = SamplerChain(stages: [.topK(2)], seed: 3, vocabularySize: 4)
        for _ in 0..<10 {
            _ = greedy.sample(logits: logits)
            _ = random.sample(logits: logits)
        }
        greedy.stages = []
        random.stages = []
        for _ in 0..<50 { #expect(greedy.sample(logits: logits) == random.sample(logits: logits)) }
    }

    @Test func settingsChangeOnTheNextSample() {
        var chain = SamplerChain(settings: SamplerSettings(), seed: 4)
        var source = MaskTests.onHeavy(18)
        _ = generate(&chain, steps: 50, logits: &source)
        chain.update(SamplerSettings(scale: Scale(root: 0, kind: .pentatonicMajor), maxPolyphony: 2))
        let pitches = generate(&chain, steps: 500, logits: &source).compactMap(noteOnPitch)
        #expect(!pitches.isEmpty)
        #expect(pitches.allSatisfy { [0, 2, 4, 7, 9].contains($0 % 12) })

        // The daemon turning temperature to zero: greedy at once.
        let logits = source.next()
        chain.update(SamplerSettings(temperature: 0))
        let p = chain.probabilities(logits: logits)
        let argmax = p.firstIndex(of: 1)
        #expect(argmax != nil)
        #expect(chain.sample(logits: logits) == argmax)
    }

    @Test func sampleReadsButDoesNotWriteTheLogits() {
        var source = LogitSource(seed: 20)
        var logits = source.next()
        let copy = logits
        var chain = SamplerChain(settings: SamplerSettings(temperature: 0.7, topK: 10), seed: 1)
        _ = logits.withUnsafeMutableBufferPointer { chain.sample(logits: $0) }
        #expect(logits == copy)
    }

    @Test func stateFollowsAcceptedTokensLikeTheDecoder() {
        var chain = SamplerChain(stages: [], seed: 1)
        chain.prime([Vocabulary.start, T.vel(20), T.on(60), T.on(64), T.shift(6), T.off(60), T.off(61), T.shift(3)])
        #expect(chain.soundingPitches == [64])
        #expect(chain.state.step == 9)
        #expect(chain.state.heldSteps(of: 64) == 9)
        #expect(chain.state.heldSteps(of: 60) == nil)
        chain.accept(T.on(64))   // restrike
        #expect(chain.state.onsetStep(of: 64) == 9 && chain.state.soundingCount == 1)
        chain.accept(Vocabulary.end)
        #expect(chain.soundingPitches.isEmpty)
        chain.accept(Vocabulary.start)
        #expect(chain.state.step == 0)
        #expect(chain.state.recentNoteOnCount == 3 && chain.state.recentNoteOn(back: 0) == 64)
        chain.accept(-5)   // ignored
        #expect(chain.state.recentToken(back: 0) == Vocabulary.start)
    }

    @Test func historiesAreBounded() {
        var state = MusicalState()
        for i in 0..<5000 { state.accept(T.on(i % 100)); state.accept(T.off(i % 100)) }
        #expect(state.recentTokenCount == MusicalState.tokenHistoryCapacity)
        #expect(state.recentNoteOnCount == MusicalState.noteOnHistoryCapacity)
        #expect(state.recentToken(back: 0) == T.off(99) && state.recentNoteOn(back: 1) == 98)
    }
}
