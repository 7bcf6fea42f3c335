import Foundation

/// A one-line progress bar on standard error; plain occasional lines when that is no terminal.
public final class ProgressBar: @unchecked Sendable {
    private let total: Int
    private let label: String
    private let interactive = isatty(STDERR_FILENO) != 0
    private let started = Date()
    private var lastQuarter = -1
    public var enabled = true

    public init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
    }

    public func update(_ done: Int, detail: String = "") {
        guard enabled else { return }
        let fraction = min(1, Double(done) / Double(total))
        if interactive {
            let width = 30
            let filled = Int(fraction * Double(width))
            let elapsed = Date().timeIntervalSince(started)
            let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total) \(detail) eta \(Int(eta.rounded()))s \u{1B}[K".utf8))
        } else {
            let quarter = Int(fraction * 4)
            if quarter > lastQuarter {
                lastQuarter = quarter
                FileHandle.standardError.write(Data("\(label): \(done)/\(total) \(detail)\n".utf8))
            }
        }
    }

    public func finish() {
        if enabled, interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
