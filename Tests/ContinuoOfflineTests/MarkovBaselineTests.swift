import Testing
@testable import ContinuoOffline

@Suite struct MarkovBaselineTests {
    /// START, then ON(60) SHIFT(12) OFF(60) ON(64) SHIFT(12) OFF(64) twenty times, then END.
    static let figure: [UInt16] = [79, 286, 207, 83, 286, 211]
    let piece: [UInt16] = [UInt16(1)] + (0..<20).flatMap { _ in MarkovBaselineTests.figure } + [UInt16(2)]

    @Test func probabilitiesSumToOne() {
        var model = MarkovBaseline(order: 4)
        model.train(piece: piece)
        for cut in [0, 1, 5, 30] {
            let history = piece[..<cut]
            let total = (0..<model.vocabularySize).reduce(0.0) { $0 + model.probability(of: $1, after: history) }
            #expect(abs(total - 1) < 1e-9)
        }
    }

    @Test func longerContextsPredictARepeatedFigureBetter() {
        var low = MarkovBaseline(order: 1), high = MarkovBaseline(order: 4)
        low.train(piece: piece)
        high.train(piece: piece)
        let a = low.negativeLogLikelihood(piece: piece), b = high.negativeLogLikelihood(piece: piece)
        #expect(a.count == piece.count - 1)
        #expect(b.nats / Double(b.count) < 0.5 * a.nats / Double(a.count))
    }
}
