import Foundation
import Synchronization

/// Readable daemon logs on standard error: time, level, message. Never used on the real-time
/// thread (it allocates and writes).
public final class Log: Sendable {
    public enum Level: Int, Sendable, Comparable, CustomStringConvertible {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public var description: String { ["debug", "info", "warning", "error"][rawValue] }
    }

    private let minimum: Level
    private let lock = Mutex(())

    public init(minimum: Level = .info) {
        self.minimum = minimum
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= minimum else { return }
        let line = "\(Self.timestamp()) \(level) \(message())\n"
        lock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// UTC wall-clock time as HH:MM:SS.mmm, what ISO8601DateFormatter gave with
    /// [.withTime, .withColonSeparatorInTime, .withFractionalSeconds], without building a
    /// formatter per line: one clock read and a gmtime_r.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var parts = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let millis = Int(now.tv_nsec / 1_000_000)
        let fraction = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction)"
    }

    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
}
