#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// sd_notify without libsystemd: one datagram per message to the socket named by
/// NOTIFY_SOCKET (a path, or `@name` for the abstract namespace). Silent when not under systemd.
public final class SystemdNotifier: @unchecked Sendable {
    private let address: String?
    /// WatchdogSec in microseconds, when systemd asked for pings.
    public let watchdogMicroseconds: UInt64?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        address = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        watchdogMicroseconds = environment["WATCHDOG_USEC"].flatMap(UInt64.init)
    }

    public var isActive: Bool { address != nil }

    @discardableResult
    public func notify(_ state: String) -> Bool {
        guard let address else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard var target = UnixSocketAddress(path: address) else { return false }
        let message = Array(state.utf8)
        let sent = target.withSockaddr { sendto(fd, message, message.count, Int32(MSG_NOSIGNAL), $0, $1) }
        return sent == message.count
    }

    public func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }
    public func status(_ text: String) { notify("STATUS=\(text)") }
    public func watchdog() { notify("WATCHDOG=1") }
    public func stopping() { notify("STOPPING=1") }
}
