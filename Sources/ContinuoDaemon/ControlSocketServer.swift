#if canImport(Glibc)
import Glibc
#endif
import ContinuoProtocol
import Foundation
import Synchronization

/// The control socket: a Unix stream socket served by one thread with poll(). Each client has
/// a bounded outbox; a client that stops reading is disconnected when its outbox is full,
/// one that disconnects mid-reply is simply dropped. Lines go to `onLine` (on this thread);
/// replies and events come back through `send`, from any thread.
public final class ControlSocketServer: @unchecked Sendable {
    public typealias ClientID = Int

    public enum ServerError: Error, CustomStringConvertible {
        case pathTooLong(String)
        case inUse(String)
        case system(String, Int32)

        public var description: String {
            switch self {
            case let .pathTooLong(path): return "socket path too long: \(path)"
            case let .inUse(path): return "another daemon is already listening on \(path)"
            case let .system(what, code): return "\(what): \(String(cString: strerror(code)))"
            }
        }
    }

    public let path: String
    public static let outboxLimit = Limits.maxPendingOutputBytes
    public static let maximumClients = Limits.maxClients

    private let listener: Int32
    private let wakeRead: Int32, wakeWrite: Int32
    private let outboxes = Mutex<[ClientID: [UInt8]]>([:])
    private let closing = Mutex<Set<ClientID>>([])
    private var clients: [ClientID: Int32] = [:]   // poll thread only
    private var framers: [ClientID: LineFramer] = [:]
    private var nextID = 1
    private let log: Log
    public var onLine: (ClientID, LineFramer.Output) -> Void = { _, _ in }
    /// Called on the server thread every loop (at least every 100 ms, and on every `wake`).
    public var onTick: () -> Void = {}
    public var onConnect: (ClientID) -> Void = { _ in }
    public var onDisconnect: (ClientID) -> Void = { _ in }
    public let maximumLineLength: Int

    /// The default path: `$XDG_RUNTIME_DIR/continuo/control.sock` (else under /tmp, per user).
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp/continuo-\(getuid())"
        return base + "/continuo/control.sock"
    }

    public init(path: String, group: String? = nil, maximumLineLength: Int = Limits.maxLineBytes, log: Log) throws {
        self.path = path
        self.log = log
        self.maximumLineLength = maximumLineLength
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard var address = UnixSocketAddress(path: path) else { throw ServerError.pathTooLong(path) }

        // A socket file left by a crashed daemon is stale if nobody answers on it.
        if FileManager.default.fileExists(atPath: path) {
            if Self.someoneListens(&address) { throw ServerError.inUse(path) }
            unlink(path)
            log.info("removed a stale control socket at \(path)")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw ServerError.system("socket", errno) }
        // Owner only from the first moment: umask before bind, then chmod to be sure.
        let oldMask = umask(0o177)
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        umask(oldMask)
        guard bound == 0 else { let e = errno; Glibc.close(fd); throw ServerError.system("bind \(path)", e) }
        if let group {
            guard let entry = getgrnam(group) else { Glibc.close(fd); unlink(path); throw ServerError.system("group \(group)", ENOENT) }
            chown(path, getuid(), entry.pointee.gr_gid)
            chmod(path, 0o660)
        } else {
            chmod(path, 0o600)
        }
        guard listen(fd, 64) == 0 else { let e = errno; Glibc.close(fd); throw ServerError.system("listen", e) }
        listener = fd
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw ServerError.system("pipe", errno) }
        for end in pipeFDs { Self.makeNonBlocking(end) }
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
        signal(SIGPIPE, SIG_IGN)
    }

    private static func makeNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    private static func someoneListens(_ address: inout UnixSocketAddress) -> Bool {
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(probe) }
        return address.withSockaddr { connect(probe, $0, $1) } == 0
    }

    /// Queues a line (a newline is added) for a client; safe from any thread. Returns false
    /// when the client is gone or its outbox is full (then it is disconnected).
    @discardableResult
    public func send(_ client: ClientID, _ line: String) -> Bool {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        let accepted = outboxes.withLock { boxes -> Bool in
            guard boxes[client] != nil else { return false }
            if boxes[client]!.count + bytes.count > Self.outboxLimit {
                return false
            }
            boxes[client]!.append(contentsOf: bytes)
            return true
        }
        if !accepted {
            closing.withLock { _ = $0.insert(client) }
        }
        wake()
        return accepted
    }

    public func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Serves until `stop()` returns true (checked at least every 100 ms).
    public func run(until stop: () -> Bool) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !stop() {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let ids = Array(clients.keys)
            let pending = outboxes.withLock { boxes in Set(boxes.filter { !$0.value.isEmpty }.keys) }
            for id in ids {
                var events = Int16(POLLIN)
                if pending.contains(id) { events |= Int16(POLLOUT) }
                fds.append(pollfd(fd: clients[id]!, events: events, revents: 0))
            }
            let ready = poll(&fds, nfds_t(fds.count), 100)
            if ready < 0, errno != EINTR { log.error("control socket poll failed: \(String(cString: strerror(errno)))"); return }
            if fds[1].revents != 0 { while read(wakeRead, &buffer, buffer.count) > 0 {} }
            if fds[0].revents & Int16(POLLIN) != 0 { acceptClients() }
            for (index, id) in ids.enumerated() {
                let entry = fds[index + 2]
                guard let fd = clients[id] else { continue }
                if entry.revents & Int16(POLLIN) != 0 {
                    let n = read(fd, &buffer, buffer.count)
                    if n <= 0 {
                        if n == 0 || (errno != EAGAIN && errno != EINTR) { drop(id) }
                        continue
                    }
                    for line in framers[id, default: LineFramer(maxLineBytes: maximumLineLength)].feed(buffer[0..<n]) {
                        onLine(id, line)
                    }
                } else if entry.revents & Int16(POLLHUP | POLLERR) != 0 {
                    drop(id)
                    continue
                }
                if entry.revents & Int16(POLLOUT) != 0 { flush(id, fd) }
            }
            onTick()
            for id in closing.withLock({ set -> Set<ClientID> in let s = set; set.removeAll(); return s }) {
                if let fd = clients[id] { flush(id, fd) }
                drop(id)
            }
        }
    }

    private func acceptClients() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            Self.makeNonBlocking(fd)
            guard clients.count < Self.maximumClients else {
                let message = Array("{\"ok\":false,\"error\":{\"code\":\"overloaded\",\"message\":\"too many clients\"}}\n".utf8)
                _ = message.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                Glibc.close(fd)
                continue
            }
            let id = nextID
            nextID += 1
            clients[id] = fd
            framers[id] = LineFramer(maxLineBytes: maximumLineLength)
            outboxes.withLock { $0[id] = [] }
            onConnect(id)
        }
    }

    private func flush(_ id: ClientID, _ fd: Int32) {
        let data = outboxes.withLock { boxes -> [UInt8] in
            let out = boxes[id] ?? []
            boxes[id] = []
            return out
        }
        guard !data.isEmpty else { return }
        let written = data.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if written < 0 {
            if errno == EAGAIN {
                outboxes.withLock { boxes in boxes[id] = data + (boxes[id] ?? []) }
            } else {
                drop(id) // the client went away mid-reply
            }
            return
        }
        if written < data.count {
            outboxes.withLock { boxes in boxes[id] = Array(data[written...]) + (boxes[id] ?? []) }
        }
    }

    private func drop(_ id: ClientID) {
        guard let fd = clients.removeValue(forKey: id) else { return }
        Glibc.close(fd)
        framers[id] = nil
        outboxes.withLock { _ = $0.removeValue(forKey: id) }
        onDisconnect(id)
    }

    public func close() {
        for id in Array(clients.keys) { drop(id) }
        Glibc.close(listener)
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
        unlink(path)
    }
}
