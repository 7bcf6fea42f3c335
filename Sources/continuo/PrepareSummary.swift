import ContinuoOffline
import Foundation

/// The summary `prepare` prints when it is done.
struct PrepareSummary {
    let index: TokenIndex
    let output: String
    let seconds: Double

    var text: String {
        let t = index.totals
        var lines: [String] = []
        lines.append("prepared \(t.filesUsed) of \(t.filesFound) files in \(Inspection.fixedString(seconds, 2)) s (\(t.filesSkipped) skipped)")
        lines.append("  notes \(t.notes), tokens \(t.tokens) (vocabulary v\(index.vocabulary.version), \(index.vocabulary.size) tokens)")
        lines.append("  train \(t.trainPieces) pieces / \(t.trainTokens) tokens, validation \(t.validationPieces) pieces / \(t.validationTokens) tokens")
        lines.append("  styles: " + index.styles.map { "\($0.name)\($0.slot.map { " [\($0)]" } ?? " [no slot]") \($0.pieces)" }.joined(separator: ", "))
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        lines.append("  wrote \(output) (\(Inspection.fixedString(Double(size) / 1e6, 2)) MB) and \(output).json")
        if !index.skipped.isEmpty {
            lines.append("skipped:")
            for skip in index.skipped { lines.append("  \(skip.file): \(skip.reason)") }
        }
        if !index.warnings.isEmpty {
            lines.append("read with warnings (\(index.warnings.count) files; details in the index)")
        }
        return lines.joined(separator: "\n")
    }
}
