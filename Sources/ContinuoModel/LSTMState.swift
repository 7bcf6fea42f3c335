/// Recurrent state (h and c for every layer) of B independent rows. A plain value: copy it to
/// snapshot, assign it back to roll back, copy a row into others to fork variations.
/// Storage is `[layer][row][hidden]`.
public struct LSTMState: Sendable, Equatable {
    public let layerCount: Int
    public let batchSize: Int
    public let hiddenSize: Int
    public internal(set) var hidden: [Float]
    public internal(set) var cell: [Float]

    /// All-zero state (PyTorch's default initial state).
    public init(layerCount: Int, batchSize: Int, hiddenSize: Int) {
        self.layerCount = layerCount
        self.batchSize = batchSize
        self.hiddenSize = hiddenSize
        hidden = [Float](repeating: 0, count: layerCount * batchSize * hiddenSize)
        cell = hidden
    }

    /// Zeroes row `row` (a stream restarts).
    public mutating func reset(row: Int) {
        guard row >= 0, row < batchSize else { return }
        for layer in 0..<layerCount {
            let start = (layer * batchSize + row) * hiddenSize
            for index in start..<(start + hiddenSize) { hidden[index] = 0; cell[index] = 0 }
        }
    }

    /// Copies row `sourceRow` of `source` into row `row` (fork one continuation into several).
    public mutating func setRow(_ row: Int, from source: LSTMState, row sourceRow: Int) throws {
        guard source.layerCount == layerCount, source.hiddenSize == hiddenSize,
              row >= 0, row < batchSize, sourceRow >= 0, sourceRow < source.batchSize else {
            throw ModelError.shapeMismatch("cannot copy row \(sourceRow) of a \(source.batchSize)-row state into row \(row) of a \(batchSize)-row state")
        }
        for layer in 0..<layerCount {
            let to = (layer * batchSize + row) * hiddenSize
            let from = (layer * source.batchSize + sourceRow) * hiddenSize
            hidden.replaceSubrange(to..<(to + hiddenSize), with: source.hidden[from..<(from + hiddenSize)])
            cell.replaceSubrange(to..<(to + hiddenSize), with: source.cell[from..<(from + hiddenSize)])
        }
    }

    /// A one-row state holding row `row`.
    public func extractRow(_ row: Int) throws -> LSTMState {
        var single = LSTMState(layerCount: layerCount, batchSize: 1, hiddenSize: hiddenSize)
        try single.setRow(0, from: self, row: row)
        return single
    }

    /// A `batchSize`-row state with every row equal to row 0 of `self`.
    public func broadcast(toBatch batchSize: Int) throws -> LSTMState {
        var result = LSTMState(layerCount: layerCount, batchSize: batchSize, hiddenSize: hiddenSize)
        for row in 0..<batchSize { try result.setRow(row, from: self, row: 0) }
        return result
    }
}
