import ContinuoEncoding
import Foundation

/// A variable-order Markov model over tokens with interpolated Witten-Bell smoothing: the
/// baseline the LSTM has to beat. Order k predicts from the previous k - 1 tokens; each order
/// backs off to the one below in proportion to how many different tokens its context has been
/// seen to continue with, down to add-one unigrams.
public struct MarkovBaseline {
    public let order: Int
    public let vocabularySize: Int
    /// Per order (1...order - 1): count of (context, next) and, per context, total and distinct.
    private var pairCounts: [[UInt64: UInt32]]
    private var contextCounts: [[UInt64: (total: UInt32, distinct: UInt32)]]
    private var unigram: [UInt32]
    private var tokensSeen = 0

    public init(order: Int, vocabularySize: Int = Vocabulary.size) {
        self.order = max(1, order)
        self.vocabularySize = vocabularySize
        pairCounts = Array(repeating: [:], count: self.order)
        contextCounts = Array(repeating: [:], count: self.order)
        unigram = Array(repeating: 0, count: vocabularySize)
    }

    /// Counts one piece (a stream that starts afresh).
    public mutating func train<C: Collection>(piece tokens: C) where C.Element == UInt16 {
        let tokens = Array(tokens)
        for t in tokens.indices {
            let next = Int(tokens[t])
            guard next < vocabularySize else { continue }
            unigram[next] += 1
            tokensSeen += 1
            var context: UInt64 = 0xcbf2_9ce4_8422_2325
            for k in 1..<order {
                guard t - k >= 0 else { break }
                context = Self.extend(context, with: tokens[t - k])
                let pair = Self.extend(context, with: UInt16(next) &+ 0x8000)
                let seen = pairCounts[k][pair, default: 0]
                pairCounts[k][pair] = seen + 1
                var totals = contextCounts[k][context, default: (0, 0)]
                totals.total += 1
                if seen == 0 { totals.distinct += 1 }
                contextCounts[k][context] = totals
            }
        }
    }

    /// Natural-log probability of each token of a piece given what precedes it in the piece;
    /// the first token (always START) is not scored. Returns (sum of -log p, tokens scored).
    public func negativeLogLikelihood<C: Collection>(piece tokens: C) -> (nats: Double, count: Int) where C.Element == UInt16 {
        let tokens = Array(tokens)
        var nats = 0.0
        var count = 0
        for t in tokens.indices.dropFirst() {
            let next = Int(tokens[t])
            guard next < vocabularySize else { continue }
            nats -= Foundation.log(probability(of: next, after: tokens[..<t]))
            count += 1
        }
        return (nats, count)
    }

    /// P(next | the last order - 1 tokens of history). Sums to 1 over the vocabulary.
    public func probability(of next: Int, after history: ArraySlice<UInt16>) -> Double {
        var p = (Double(unigram[next]) + 1) / (Double(tokensSeen) + Double(vocabularySize))
        var context: UInt64 = 0xcbf2_9ce4_8422_2325
        var position = history.endIndex
        for k in 1..<order {
            guard position > history.startIndex else { break }
            position -= 1
            context = Self.extend(context, with: history[position])
            guard let totals = contextCounts[k][context] else { break }
            let c = Double(pairCounts[k][Self.extend(context, with: UInt16(next) &+ 0x8000)] ?? 0)
            let distinct = Double(totals.distinct)
            p = (c + distinct * p) / (Double(totals.total) + distinct)
        }
        return p
    }

    @inline(__always)
    private static func extend(_ hash: UInt64, with token: UInt16) -> UInt64 {
        var h = hash ^ UInt64(token)
        h = h &* 0x0000_0100_0000_01B3
        h ^= h >> 29
        return h
    }
}

/// Fits the baseline on a token file's training pieces and scores its validation pieces.
public enum MarkovBaselineEvaluation {
    public struct Result: Sendable {
        public var order: Int
        public var natsPerEvent: Double
        public var bitsPerNote: Double
        public var scoredTokens: Int
    }

    public static func run(tokenFile: String, order: Int) throws -> Result {
        let index = try TokenFile.readIndex(path: TokenFile.indexPath(for: tokenFile))
        let tokens = try TokenFile.readTokens(path: tokenFile)
        var model = MarkovBaseline(order: order)
        for piece in index.pieces where piece.split == .train {
            model.train(piece: tokens[piece.offset..<piece.offset + piece.count])
        }
        var nats = 0.0, count = 0, notes = 0
        for piece in index.pieces where piece.split == .validation {
            let slice = tokens[piece.offset..<piece.offset + piece.count]
            let score = model.negativeLogLikelihood(piece: slice)
            nats += score.nats
            count += score.count
            notes += slice.filter { if case .noteOn = Event(token: Int($0)) { true } else { false } }.count
        }
        return Result(order: order, natsPerEvent: nats / Double(max(count, 1)),
                      bitsPerNote: nats / Foundation.log(2.0) / Double(max(notes, 1)), scoredTokens: count)
    }
}
