import Foundation
import Testing
@testable import ContinuoDaemon

@Suite struct LogTests {
    /// The cheap timestamp reads as the ISO 8601 formatter it replaced did: HH:MM:SS.mmm, UTC.
    @Test func timestampMatchesTheISOFormatterItReplaced() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withTime, .withColonSeparatorInTime, .withFractionalSeconds]
        let before = formatter.string(from: Date())
        let ours = Log.timestamp()
        let after = formatter.string(from: Date())
        #expect(ours.count == 12)
        #expect(ours.range(of: #"^\d\d:\d\d:\d\d\.\d\d\d$"#, options: .regularExpression) != nil, "\(ours)")
        #expect(before <= ours && ours <= after || after < before, "\(before) <= \(ours) <= \(after)") // midnight wraps
    }
}
