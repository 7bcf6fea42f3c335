#if canImport(Glibc)
import Glibc
#endif

/// A `sockaddr_un` for a path (a leading `@` names the abstract namespace, as NOTIFY_SOCKET
/// may), and the calls that take it: one place for the byte copying every Unix socket needs.
struct UnixSocketAddress {
    private var storage = sockaddr_un()

    /// nil when the path does not fit.
    init?(path: String) {
        storage.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: storage.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
    }

    mutating func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
