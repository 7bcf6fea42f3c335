#if canImport(Glibc)
import Glibc
#endif
import ContinuoProtocol
import Foundation

/// A client of the control socket (what `continuo ctl` uses): connects, checks the greeting,
/// sends requests and reads replies, passing any events in between to a handler.
public final class ControlClient {
    public enum ClientError: Error, CustomStringConvertible {
        case cannotConnect(String, String)
        case closed
        case badGreeting(String)
        case protocolMismatch(Int)

        public var description: String {
            switch self {
            case let .cannotConnect(path, reason): return "cannot connect to \(path): \(reason) (is `continuo daemon` running?)"
            case .closed: return "the daemon closed the connection"
            case let .badGreeting(line): return "not a Continuo daemon (it said: \(line.prefix(80)))"
            case let .protocolMismatch(version): return "the daemon speaks protocol \(version); this ctl speaks \(ProtocolVersion.current)"
            }
        }
    }

    private let fd: Int32
    private var framer = LineFramer(maxLineBytes: 16 << 20)
    private var lines: [[UInt8]] = []
    private var nextID = 1

    public init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard var address = UnixSocketAddress(path: path) else { throw ClientError.cannotConnect(path, "path too long") }
        let connected = address.withSockaddr { connect(fd, $0, $1) }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ClientError.cannotConnect(path, reason)
        }
        let greeting = try readLine()
        switch ServerMessage.parse(bytes: greeting) {
        case let .success(.hello(hello)) where hello.protocolVersion != ProtocolVersion.current:
            throw ClientError.protocolMismatch(hello.protocolVersion)
        case .success(.hello):
            break
        default:
            throw ClientError.badGreeting(String(decoding: greeting, as: UTF8.self))
        }
    }

    deinit { Glibc.close(fd) }

    /// Sends `command` and waits for its reply; events that arrive first go to `onEvent`.
    public func send(_ command: Command, instance: String? = nil, onEvent: (Event) -> Void = { _ in }) throws -> Reply {
        let id = JSONValue.int(nextID)
        nextID += 1
        try write(Request(id: id, instance: instance, command: command).encoded)
        while true {
            let line = try readLine()
            switch ServerMessage.parse(bytes: line) {
            case let .success(.reply(reply)) where reply.id == id:
                return reply
            case let .success(.reply(reply)) where reply.id == nil:
                return reply // an error about the line itself
            case let .success(.event(event)):
                onEvent(event)
            default:
                continue
            }
        }
    }

    /// Reads events until `keepGoing` says stop (or the daemon goes away).
    public func listen(_ onEvent: (Event) -> Bool) throws {
        while true {
            let line = try readLine()
            if case let .success(.event(event)) = ServerMessage.parse(bytes: line), !onEvent(event) { return }
        }
    }

    private func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError.closed }
            sent += n
        }
    }

    private func readLine() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while lines.isEmpty {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { throw ClientError.closed }
            for output in framer.feed(buffer[0..<n]) {
                if case let .line(line) = output { lines.append(line) }
            }
        }
        return lines.removeFirst()
    }
}
