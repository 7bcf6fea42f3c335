import Foundation

/// A performer's verdict on a kept phrase, stored beside it as `PHRASE.rating` ("like" or
/// "dislike"): the daemon writes it (`rate`, the page's buttons), `train --finetune` reads it.
public enum Rating: String, Sendable, CaseIterable {
    case like, dislike

    public static func sidecar(of file: String) -> String { file + ".rating" }

    /// The rating of `file`, nil when it has none (or an unreadable one).
    public static func of(_ file: String) -> Rating? {
        guard let text = try? String(contentsOfFile: sidecar(of: file), encoding: .utf8) else { return nil }
        return Rating(rawValue: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public func write(for file: String) throws {
        try FileBytes.write(Array((rawValue + "\n").utf8), to: Self.sidecar(of: file))
    }
}
