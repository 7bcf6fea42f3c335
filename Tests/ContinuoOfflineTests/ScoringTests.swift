import ContinuoEncoding
import ContinuoModel
import Foundation
import Testing
@testable import ContinuoOffline

/// `continuo eval --data` scores every target of every piece, each piece from a zero state.
@Suite struct ScoringTests {
    static let lengths = [1, 2, 7, 300, 513, 0, 64, 65]

    /// A tiny random model, its weights scaled up so the recurrent state matters to the logits.
    static func model() throws -> LSTMModel {
        var model = try LSTMModel(configuration: LSTMConfiguration(vocabularySize: Vocabulary.size, embeddingSize: 8,
                                                                   hiddenSize: 16, layerCount: 2), seed: 7)
        model.parameters = model.parameters.map { $0 * 3 }
        return model
    }

    /// Pieces of the given lengths with tokens from a fixed LCG over the whole vocabulary.
    static func pieces(_ lengths: [Int] = lengths) -> [[UInt16]] {
        var x: UInt64 = 12345
        return lengths.map { n in
            (0..<n).map { _ in
                x = x &* 6364136223846793005 &+ 1442695040888963407
                return UInt16((x >> 33) % UInt64(Vocabulary.size))
            }
        }
    }

    /// The plain definition: each piece alone, one token at a time, float32, from a zero state.
    static func reference(_ model: LSTMModel, _ pieces: [[UInt16]]) throws -> (nats: Double, events: Int, notes: Int) {
        let each = try targetScores(model, pieces)
        let targets = pieces.flatMap { $0.dropFirst() }
        return (each.reduce(0, +), each.count, targets.filter { if case .noteOn = Event(token: Int($0)) { true } else { false } }.count)
    }

    /// -log p of every target, in order, each piece from a zero state.
    static func targetScores(_ model: LSTMModel, _ pieces: [[UInt16]]) throws -> [Double] {
        let inference = LSTMInference(model: model, precision: .float32, maxBatch: 1)
        var logits = [Float](repeating: 0, count: model.configuration.vocabularySize)
        var scores: [Double] = []
        for piece in pieces where piece.count >= 2 {
            var state = inference.makeState()
            for i in 0..<(piece.count - 1) {
                try logits.withUnsafeMutableBufferPointer { try inference.step(token: Int(piece[i]), state: &state, logits: $0) }
                let top = Double(logits.max()!)
                let sum = logits.reduce(0.0) { $0 + Foundation.exp(Double($1) - top) }
                scores.append(Foundation.log(sum) + top - Double(logits[Int(piece[i + 1])]))
            }
        }
        return scores
    }

    static func total(_ r: ModelEvaluation.Result) -> Double { r.natsPerEvent * Double(r.events) }

    @Test func everyTargetOfEveryPieceIsScored() throws {
        let pieces = Self.pieces()
        let result = try ModelEvaluation.negativeLogLikelihood(model: Self.model(), pieces: pieces, batch: 4, threads: 1)
        #expect(result.events == Self.lengths.reduce(0) { $0 + max($1 - 1, 0) })
        #expect(result.pieces == Self.lengths.count)
        #expect(result.unscoredPieces == 2) // the piece of one token and the empty one
    }

    @Test func totalMatchesScoringEachPieceAloneOneTokenAtATime() throws {
        let model = try Self.model(), pieces = Self.pieces()
        let expected = try Self.reference(model, pieces)
        let result = try ModelEvaluation.negativeLogLikelihood(model: model, pieces: pieces, batch: 3, threads: 1)
        #expect(result.events == expected.events)
        #expect(result.notes == expected.notes)
        #expect(abs(Self.total(result) - expected.nats) <= 1e-4 * expected.nats)
        #expect(abs(result.bitsPerNote - expected.nats / Foundation.log(2.0) / Double(expected.notes)) <= 1e-4 * result.bitsPerNote)
    }

    @Test func theStateStartsFromZeroAtEveryPiece() throws {
        // Guards the reference test: had the second piece carried the first one's state (pieces
        // laid end to end), its score would differ by several times the 1e-4 tolerance.
        let model = try Self.model(), pieces = Self.pieces([300, 513])
        let result = try ModelEvaluation.negativeLogLikelihood(model: model, pieces: pieces, batch: 1, threads: 1)
        let separate = try Self.targetScores(model, pieces)
        let joined = try Self.targetScores(model, [pieces[0] + pieces[1]])
        let total = separate.reduce(0, +)
        #expect(abs(Self.total(result) - total) <= 1e-4 * total)
        let carried = joined[300...].reduce(0, +), fresh = separate[299...].reduce(0, +)
        #expect(abs(carried - fresh) > 3e-4 * total, "carried \(carried), fresh \(fresh)")
    }

    @Test(arguments: [1, 2, 5, 8, 64])
    func theResultDoesNotDependOnTheBatch(batch: Int) throws {
        let model = try Self.model(), pieces = Self.pieces()
        let one = try ModelEvaluation.negativeLogLikelihood(model: model, pieces: pieces, batch: 1, threads: 1)
        let many = try ModelEvaluation.negativeLogLikelihood(model: model, pieces: pieces, batch: batch, threads: 1)
        #expect(many.events == one.events)
        #expect(many.notes == one.notes)
        #expect(abs(Self.total(many) - Self.total(one)) <= 1e-4 * Self.total(one))
    }

    @Test(arguments: [1, 5, 64, 600])
    func theWindowLengthDoesNotChangeTheResult(length: Int) throws {
        // Windows shorter and longer than the pieces: resets and padding land anywhere in a window.
        let model = try Self.model(), pieces = Self.pieces()
        let expected = try Self.reference(model, pieces)
        let totals = try PieceScorer(model: model, length: length).score(pieces, batch: 3, threads: 1)
        #expect(totals.events == expected.events)
        #expect(totals.notes == expected.notes)
        #expect(totals.scoredPieces == pieces.count - 2)
        #expect(abs(totals.nats - expected.nats) <= 1e-4 * expected.nats)
    }

    @Test func threadsShareTheRowsWithoutChangingTheResult() throws {
        let model = try Self.model(), pieces = Self.pieces()
        let one = try ModelEvaluation.negativeLogLikelihood(model: model, pieces: pieces, batch: 6, threads: 1)
        let two = try ModelEvaluation.negativeLogLikelihood(model: model, pieces: pieces, batch: 6, threads: 2)
        let many = try ModelEvaluation.negativeLogLikelihood(model: model, pieces: pieces, batch: 6, threads: 16)
        for other in [two, many] {
            #expect(other.events == one.events)
            #expect(other.notes == one.notes)
            #expect(abs(Self.total(other) - Self.total(one)) <= 1e-4 * Self.total(one))
        }
    }

    @Test func piecesWithNothingToScoreAreCountedNotFatal() throws {
        let model = try Self.model()
        for pieces in [[[UInt16(5)]], [[], [7]], []] as [[[UInt16]]] {
            let result = try ModelEvaluation.negativeLogLikelihood(model: model, pieces: pieces, threads: 1)
            #expect(result.events == 0)
            #expect(result.natsPerEvent == 0)
            #expect(result.unscoredPieces == pieces.count)
        }
    }

    @Test func aTokenOutsideTheVocabularyIsAnError() throws {
        #expect(throws: ModelError.self) {
            try ModelEvaluation.negativeLogLikelihood(model: Self.model(), pieces: [[1, 2, UInt16(Vocabulary.size)]], threads: 1)
        }
    }

    @Test func rowsGetEveryScorablePieceOnceLongestFirst() {
        let counts = [1, 2, 7, 300, 513, 0, 64, 65, 9, 9]
        let deal = PieceRows(tokenCounts: counts, rows: 3)
        #expect(deal.rows.count == 3)
        #expect(deal.rows.flatMap { $0 }.sorted() == counts.indices.filter { counts[$0] >= 2 })
        #expect(deal.rows.map { $0.first } == [4, 3, 7]) // 513, 300, 65 open the rows
        #expect(PieceRows(tokenCounts: counts, rows: 100).rows.count == 8) // no more rows than pieces
        #expect(PieceRows(tokenCounts: [1, 0], rows: 4).rows.isEmpty)
    }
}
