import ContinuoEncoding
import ContinuoModel
import Foundation

/// Ranks styles for a piece by the likelihood a style-conditioned model gives it: a Bayes
/// classifier (uniform prior) built from the generative model. Every style is scored in one
/// batched pass, one row per style.
public enum StyleClassifier {
    public struct Ranking: Sendable, Codable {
        public struct Entry: Sendable, Codable {
            public var style: String
            public var logLikelihood: Double
            public var probability: Double
        }
        public var entries: [Entry]
        public var best: String? { entries.first?.style }
    }

    /// `events` are the piece's tokens without START, STYLE and END.
    public static func rank(events: [UInt16], inference: LSTMInference, styles: [String: Int]) throws -> Ranking {
        let names = styles.keys.sorted()
        guard !names.isEmpty else { return Ranking(entries: []) }
        let rows = names.count
        let vocabulary = inference.configuration.vocabularySize
        var state = inference.makeState()
        try inference.prime([Vocabulary.start], state: &state)
        state = try state.broadcast(toBatch: rows)
        var logits = [Float](repeating: 0, count: rows * vocabulary)
        var input = names.map { Int32(Event.style(styles[$0]!).token) }
        var scores = [Double](repeating: 0, count: rows)
        for token in events.map(Int.init) + [Vocabulary.end] {
            try logits.withUnsafeMutableBufferPointer { buffer in
                try inference.step(tokens: input, state: &state, logits: buffer)
                for r in 0..<rows {
                    scores[r] += logSoftmax(buffer, row: r, width: vocabulary, at: token)
                }
            }
            input = Array(repeating: Int32(token), count: rows)
        }
        let top = scores.max()!
        let normaliser = scores.reduce(0) { $0 + Foundation.exp($1 - top) }
        let entries = zip(names, scores).map { name, score in
            Ranking.Entry(style: name, logLikelihood: score, probability: Foundation.exp(score - top) / normaliser)
        }.sorted { $0.logLikelihood > $1.logLikelihood }
        return Ranking(entries: entries)
    }

    static func logSoftmax(_ logits: UnsafeMutableBufferPointer<Float>, row: Int, width: Int, at index: Int) -> Double {
        let base = row * width
        var top = -Float.infinity
        for i in 0..<width { top = max(top, logits[base + i]) }
        var sum = 0.0
        for i in 0..<width { sum += Foundation.exp(Double(logits[base + i] - top)) }
        return Double(logits[base + index] - top) - Foundation.log(sum)
    }

    /// The piece's event tokens: what is between START (and a STYLE) and END.
    public static func events(of piece: [UInt16]) -> [UInt16] {
        piece.filter { token in
            switch Event(token: Int(token)) {
            case .start?, .end?, .style?, .pad?, nil: return false
            default: return true
            }
        }
    }

    public struct Accuracy: Sendable, Codable {
        public var pieces: Int
        public var correct: Int
        public var perStyle: [String: [String: Int]]   // true style -> predicted -> count
        public var rate: Double { Double(correct) / Double(max(pieces, 1)) }
        public var chance: Double
    }

    /// Accuracy on the validation pieces of a token file whose style has a slot the model knows.
    public static func accuracy(tokenFile: String, inference: LSTMInference, styles: [String: Int]) throws -> Accuracy {
        let index = try TokenFile.readIndex(path: TokenFile.indexPath(for: tokenFile))
        let tokens = try TokenFile.readTokens(path: tokenFile)
        var result = Accuracy(pieces: 0, correct: 0, perStyle: [:], chance: 0)
        var counts: [String: Int] = [:]
        for piece in index.pieces where piece.split == .validation && styles[piece.style] != nil {
            let events = self.events(of: Array(tokens[piece.offset..<piece.offset + piece.count]))
            let predicted = try rank(events: events, inference: inference, styles: styles).best ?? ""
            result.pieces += 1
            if predicted == piece.style { result.correct += 1 }
            result.perStyle[piece.style, default: [:]][predicted, default: 0] += 1
            counts[piece.style, default: 0] += 1
        }
        // Chance: always answering the most common style.
        result.chance = Double(counts.values.max() ?? 0) / Double(max(result.pieces, 1))
        return result
    }
}
