import ContinuoEncoding
import ContinuoModel
import Foundation

/// Pieces dealt to the rows of a batch for scoring: longest first, each to the row with the
/// fewest targets so far (LPT scheduling), so rows end at nearly the same step and few steps
/// run with a short batch. A piece of n tokens has n - 1 targets; pieces with none are left out.
struct PieceRows: Equatable {
    /// Per row, the indices (into the lengths given) of the pieces it scores, in order.
    let rows: [[Int]]

    init(tokenCounts: [Int], rows requested: Int) {
        let scorable = tokenCounts.indices.filter { tokenCounts[$0] >= 2 }
        let rowCount = Swift.min(Swift.max(1, requested), scorable.count)
        guard rowCount > 0 else { rows = []; return }
        // Longest first; equal lengths in input order, so the deal is deterministic.
        let order = scorable.sorted { tokenCounts[$0] != tokenCounts[$1] ? tokenCounts[$0] > tokenCounts[$1] : $0 < $1 }
        var rows = [[Int]](repeating: [], count: rowCount)
        var load = [Int](repeating: 0, count: rowCount)
        for piece in order {
            var lightest = 0
            for r in 1..<rowCount where load[r] < load[lightest] { lightest = r }
            rows[lightest].append(piece)
            load[lightest] += tokenCounts[piece] - 1
        }
        self.rows = rows
    }
}

/// Exact held-out scoring: every target of every piece (token i + 1 given tokens 0...i), the
/// recurrent state zero at each piece's start. The rows of a `PieceRows` deal run in windows of
/// `length` steps through `LSTMWindowScorer`; a row that starts a piece mid-window is reset
/// there, the steps after a row's last piece are padding and not scored, and a row leaves the
/// batch after the window in which it ends. With several threads, each scores its share of the
/// rows (whole rows, so pieces are never split) with single-threaded matrix products.
struct PieceScorer: Sendable {
    struct Totals: Equatable, Sendable {
        var nats: Double = 0
        var events = 0
        var notes = 0
        var scoredPieces = 0

        static func + (a: Totals, b: Totals) -> Totals {
            Totals(nats: a.nats + b.nats, events: a.events + b.events, notes: a.notes + b.notes,
                   scoredPieces: a.scoredPieces + b.scoredPieces)
        }
    }

    let model: LSTMModel
    var length = 64

    func score(_ pieces: [[UInt16]], batch: Int, threads: Int) throws -> Totals {
        let schedule = PieceRows(tokenCounts: pieces.map(\.count), rows: batch)
        let V = model.configuration.vocabularySize
        for row in schedule.rows {
            for index in row {
                if let bad = pieces[index].first(where: { Int($0) >= V }) {
                    throw ModelError.tokenOutOfRange(token: Int(bad), vocabularySize: V)
                }
            }
        }
        let groups = Swift.max(1, Swift.min(threads, schedule.rows.count))
        guard groups > 1 else {
            MathThreads.set(threads)
            return try score(pieces, rows: schedule.rows)
        }
        MathThreads.set(1)
        let shares = (0..<groups).map { g in stride(from: g, to: schedule.rows.count, by: groups).map { schedule.rows[$0] } }
        let results = ResultSlots<Result<Totals, any Error>>(count: groups)
        DispatchQueue.concurrentPerform(iterations: groups) { g in
            results[g] = Result { try score(pieces, rows: shares[g]) }
        }
        return try results.values.reduce(Totals()) { try $0 + $1!.get() }
    }

    /// Scores `rows` (each a list of piece indices, scored in order) side by side.
    func score(_ pieces: [[UInt16]], rows: [[Int]]) throws -> Totals {
        var totals = Totals()
        guard !rows.isEmpty else { return totals }
        let L = length
        let scorer = try LSTMWindowScorer(model: model, batch: rows.count, length: L)

        /// One row's place: which of its pieces, and the position of the next input token.
        struct Cursor { var queue: [Int]; var slot = 0; var position = 0; var done: Bool { slot == queue.count } }
        var cursors = rows.map { Cursor(queue: $0) }
        while !cursors.isEmpty {
            let B = cursors.count
            var inputs = [Int32](repeating: 0, count: B * L)
            var targets = [Int32](repeating: -1, count: B * L)
            var resets = [Bool](repeating: false, count: B * L)
            for b in 0..<B {
                for t in 0..<L {
                    guard !cursors[b].done else { break }
                    let piece = pieces[cursors[b].queue[cursors[b].slot]]
                    let position = cursors[b].position
                    let target = piece[position + 1]
                    inputs[b * L + t] = Int32(piece[position])
                    targets[b * L + t] = Int32(target)
                    resets[b * L + t] = position == 0
                    totals.events += 1
                    if case .noteOn = Event(token: Int(target)) { totals.notes += 1 }
                    if position + 2 == piece.count {   // that was the piece's last target
                        cursors[b].slot += 1
                        cursors[b].position = 0
                    } else {
                        cursors[b].position += 1
                    }
                }
            }
            let window = try scorer.score(inputs: inputs, targets: targets, resets: resets)
            totals.nats += window.nats
            let keep = (0..<B).filter { !cursors[$0].done }
            if keep.count < B, !keep.isEmpty { try scorer.keepRows(keep) }
            cursors = keep.map { cursors[$0] }
        }
        totals.scoredPieces = rows.reduce(0) { $0 + $1.count }
        return totals
    }
}
