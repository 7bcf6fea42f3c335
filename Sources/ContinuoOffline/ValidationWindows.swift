import ContinuoEncoding
import ContinuoModel
import Foundation

/// Validation data as B equal contiguous stretches of the concatenated validation pieces, cut
/// into windows of L: every row holds real tokens (no padding counted in the loss), each token
/// is scored once, and the result does not depend on the training run.
public struct ValidationWindows: Sequence {
    public let windows: [TokenWindow]
    public let noteTargets: Int
    public let tokenTargets: Int

    public init(tokenFile: String, batchSize: Int, sequenceLength: Int) throws {
        let index = try TokenFile.readIndex(path: TokenFile.indexPath(for: tokenFile))
        let data = try Data(contentsOf: URL(fileURLWithPath: tokenFile), options: .alwaysMapped)
        var stream: [UInt16] = []
        data.withUnsafeBytes { raw in
            for piece in index.pieces where piece.split == .validation {
                let base = TokenFile.headerSize + 2 * piece.offset
                guard base + 2 * piece.count <= raw.count else { continue }
                for i in 0..<piece.count { stream.append(UInt16(raw[base + 2 * i]) | UInt16(raw[base + 2 * i + 1]) << 8) }
            }
        }
        self.init(stream: stream, batchSize: batchSize, sequenceLength: sequenceLength)
    }

    /// Windows over pieces laid end to end.
    public init(stream: [UInt16], batchSize: Int, sequenceLength: Int) {
        let rowLength = stream.count / batchSize
        let windowCount = Swift.max(0, (rowLength - 1) / sequenceLength)
        var windows: [TokenWindow] = []
        var notes = 0
        for w in 0..<windowCount {
            var inputs = [Int32](repeating: 0, count: batchSize * sequenceLength)
            var targets = inputs
            for b in 0..<batchSize {
                let start = b * rowLength + w * sequenceLength
                for t in 0..<sequenceLength {
                    inputs[b * sequenceLength + t] = Int32(stream[start + t])
                    let target = stream[start + t + 1]
                    targets[b * sequenceLength + t] = Int32(target)
                    if case .noteOn = Event(token: Int(target)) { notes += 1 }
                }
            }
            windows.append(TokenWindow(inputs: inputs, targets: targets, resetRows: Array(repeating: w == 0, count: batchSize)))
        }
        self.windows = windows
        noteTargets = notes
        tokenTargets = windowCount * batchSize * sequenceLength
    }

    public func makeIterator() -> IndexingIterator<[TokenWindow]> { windows.makeIterator() }
}
