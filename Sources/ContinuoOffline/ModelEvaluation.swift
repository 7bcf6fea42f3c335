import ContinuoEncoding
import ContinuoModel
import Foundation

/// Held-out negative log-likelihood of a model, in nats per event and bits per note.
public enum ModelEvaluation {
    public struct Result: Sendable, Codable {
        public var natsPerEvent: Double
        public var bitsPerNote: Double
        /// Targets scored: n - 1 for a piece of n tokens.
        public var events: Int
        /// Scored targets that are note-ons.
        public var notes: Int
        /// Pieces given.
        public var pieces: Int
        /// Pieces with nothing to score (fewer than two tokens).
        public var unscoredPieces: Int
        public var seconds: Double
    }

    /// Scores every event of every piece: token i + 1 of a piece given tokens 0...i, from a zero
    /// state at the piece's start. Pieces are dealt to `batch` rows run side by side (one matrix
    /// product per layer and step for a thread's rows); the result does not depend on `batch` or
    /// `threads` beyond float rounding.
    public static func negativeLogLikelihood(model: LSTMModel, pieces: [[UInt16]], batch: Int = 32,
                                             threads: Int = 2) throws -> Result {
        let started = Date()
        let totals = try PieceScorer(model: model).score(pieces, batch: batch, threads: threads)
        return Result(natsPerEvent: totals.events == 0 ? 0 : totals.nats / Double(totals.events),
                      bitsPerNote: totals.nats / Foundation.log(2.0) / Double(max(totals.notes, 1)),
                      events: totals.events, notes: totals.notes, pieces: pieces.count,
                      unscoredPieces: pieces.count - totals.scoredPieces,
                      seconds: Date().timeIntervalSince(started))
    }

    /// The pieces of a token file's split, or of every MIDI file under a folder.
    public static func pieces(from path: String, split: TokenIndex.Split = .validation) throws -> [[UInt16]] {
        if path.hasSuffix(".ctok") {
            let index = try TokenFile.readIndex(path: TokenFile.indexPath(for: path))
            let tokens = try TokenFile.readTokens(path: path)
            return index.pieces.filter { $0.split == split }.map { Array(tokens[$0.offset..<$0.offset + $0.count]) }
        }
        let encoder = PieceEncoder()
        return try CorpusScanner.scan([path]).compactMap { file in
            guard let bytes = try? FileBytes.read(file.path),
                  case let .encoded(piece) = encoder.encode(bytes, name: file.relativePath, style: nil) else { return nil }
            return piece.tokens
        }
    }
}
