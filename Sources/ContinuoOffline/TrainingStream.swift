import ContinuoEncoding
import ContinuoModel
import ContinuoRandom
import Foundation

/// Token windows for truncated back-propagation through time, streamed from a token file.
///
/// The file is memory-mapped, so memory does not grow with the corpus. Each of the B rows of a
/// batch is a stream of whole pieces one after another (in a seeded shuffled order each
/// epoch); a window is the next L tokens of every row, and the model's state carries on from
/// the row's previous window. A row whose window starts on a new piece is reset. Pieces are
/// transposed on the fly by a random shift that keeps them on the keyboard.
public final class TrainingStream {
    public struct Piece: Sendable {
        public var offset: Int
        public var count: Int
        public var notes: Int
    }

    private let tokens: Data
    public let pieces: [Piece]
    public let batchSize: Int
    public let sequenceLength: Int
    public let transposeRange: ClosedRange<Int>
    private var random: SeededRandom

    private var order: [Int] = []
    private var nextPiece = 0
    private var rows: [[UInt16]]
    private var positions: [Int]
    private var rowStartsPiece: [Bool]

    public var tokenCount: Int { pieces.reduce(0) { $0 + $1.count } }
    public var notes: Int { pieces.reduce(0) { $0 + $1.notes } }
    /// Windows in one pass over every token once.
    public var windowsPerEpoch: Int { max(1, tokenCount / max(1, batchSize * sequenceLength)) }

    public init(tokenFile: String, split: TokenIndex.Split, batchSize: Int, sequenceLength: Int,
                transposeRange: ClosedRange<Int> = 0...0, seed: UInt64) throws {
        let index = try TokenFile.readIndex(path: TokenFile.indexPath(for: tokenFile))
        guard index.vocabulary == .current else {
            throw OfflineError.badTokenFile(path: tokenFile, reason: "vocabulary v\(index.vocabulary.version) (\(index.vocabulary.size) tokens) does not match this build's v\(Vocabulary.version) (\(Vocabulary.size)); run prepare again")
        }
        do {
            tokens = try Data(contentsOf: URL(fileURLWithPath: tokenFile), options: .alwaysMapped)
        } catch {
            throw OfflineError.cannotRead(path: tokenFile, reason: error.localizedDescription)
        }
        let available = (tokens.count - TokenFile.headerSize) / 2
        pieces = index.pieces.filter { $0.split == split }.map { Piece(offset: $0.offset, count: $0.count, notes: $0.notes) }
        if pieces.contains(where: { $0.offset < 0 || $0.offset + $0.count > available }) {
            throw OfflineError.badTokenFile(path: tokenFile, reason: "the index points past the end of the token data")
        }
        guard !pieces.isEmpty else {
            throw OfflineError.badTokenFile(path: tokenFile, reason: "no \(split.rawValue) pieces")
        }
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        self.transposeRange = transposeRange
        random = SeededRandom(seed: seed)
        rows = Array(repeating: [], count: batchSize)
        positions = Array(repeating: 0, count: batchSize)
        rowStartsPiece = Array(repeating: true, count: batchSize)
        startEpoch(shuffle: split == .train)
    }

    /// Starts the pieces over, shuffled for training, in file order for validation.
    public func startEpoch(shuffle: Bool) {
        order = Array(pieces.indices)
        if shuffle {
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(random.next() % UInt64(i + 1)))
            }
        }
        nextPiece = 0
        for b in 0..<batchSize {
            rows[b] = []
            positions[b] = 0
            rowStartsPiece[b] = true
        }
    }

    /// The next window, or nil when the pieces of this epoch are used up. With `wrap`, an
    /// exhausted row takes pieces from the start of the order again (training keeps every
    /// row busy); without it, rows run dry and the epoch ends (validation sees each piece once).
    public func nextWindow(wrap: Bool) -> TokenWindow? {
        let L = sequenceLength
        var inputs = [Int32](repeating: 0, count: batchSize * L)
        var targets = [Int32](repeating: 0, count: batchSize * L)
        var resets = [Bool](repeating: false, count: batchSize)
        var anyRow = false
        for b in 0..<batchSize {
            // Needs L + 1 tokens to give L inputs and their L targets.
            while rows[b].count - positions[b] < L + 1 {
                guard let piece = takePiece(wrap: wrap) else { break }
                if rows[b].count - positions[b] <= 1 { rowStartsPiece[b] = true }
                rows[b] = Array(rows[b][positions[b]...]) + piece
                positions[b] = 0
            }
            guard rows[b].count - positions[b] >= L + 1 else {
                if !wrap { continue }
                return nil
            }
            anyRow = true
            resets[b] = rowStartsPiece[b]
            rowStartsPiece[b] = false
            for t in 0..<L {
                inputs[b * L + t] = Int32(rows[b][positions[b] + t])
                targets[b * L + t] = Int32(rows[b][positions[b] + t + 1])
            }
            positions[b] += L
        }
        return anyRow ? TokenWindow(inputs: inputs, targets: targets, resetRows: resets) : nil
    }

    private func takePiece(wrap: Bool) -> [UInt16]? {
        if nextPiece >= order.count {
            guard wrap else { return nil }
            startEpochOrder()
        }
        let piece = pieces[order[nextPiece]]
        nextPiece += 1
        var tokens = [UInt16](repeating: 0, count: piece.count)
        self.tokens.withUnsafeBytes { raw in
            let base = TokenFile.headerSize + 2 * piece.offset
            for i in 0..<piece.count {
                tokens[i] = UInt16(raw[base + 2 * i]) | UInt16(raw[base + 2 * i + 1]) << 8
            }
        }
        if transposeRange != 0...0 {
            let allowed = Transposition.allowedShifts(tokens)
            let low = max(allowed.lowerBound, transposeRange.lowerBound), high = min(allowed.upperBound, transposeRange.upperBound)
            if low <= high {
                Transposition.transposeInPlace(&tokens, by: low + Int(random.next() % UInt64(high - low + 1)))
            }
        }
        return tokens
    }

    private func startEpochOrder() {
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(random.next() % UInt64(i + 1))) }
        nextPiece = 0
    }
}
