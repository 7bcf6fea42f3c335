import ContinuoEncoding
import ContinuoModel
import Foundation

/// Held-out negative log-likelihood of a model, in nats per event and bits per note.
public enum ModelEvaluation {
    public struct Result: Sendable, Codable {
        public var natsPerEvent: Double
        public var bitsPerNote: Double
        public var events: Int
        public var notes: Int
        public var pieces: Int
        public var seconds: Double
    }

    /// Scores `pieces` (token sequences) laid end to end in `batch` parallel rows of windows of
    /// `sequenceLength`, carrying state across windows: batched matrix products make this fast.
    public static func negativeLogLikelihood(model: LSTMModel, pieces: [[UInt16]], batch: Int = 32,
                                             sequenceLength: Int = 256, threads: Int = 2) throws -> Result {
        let started = Date()
        BLASThreads.set(threads)
        let stream = pieces.flatMap { $0 }
        let rows = max(1, min(batch, stream.count / (sequenceLength + 1)))
        let windows = ValidationWindows(stream: stream, batchSize: rows, sequenceLength: sequenceLength)
        let trainer = try LSTMTrainer(model: model, configuration: TrainingConfiguration(batchSize: rows, sequenceLength: sequenceLength, dropout: 0))
        let mean = try trainer.validationLoss(windows.windows)
        let total = mean * Double(windows.tokenTargets)
        return Result(natsPerEvent: mean, bitsPerNote: total / Foundation.log(2.0) / Double(max(windows.noteTargets, 1)),
                      events: windows.tokenTargets, notes: windows.noteTargets, pieces: pieces.count,
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
