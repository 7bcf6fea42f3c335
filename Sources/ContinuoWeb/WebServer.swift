import ContinuoDaemon
import ContinuoParameters
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdWebSocket
import Logging
import NIOCore

/// The performer's page, served by the daemon: the page and its script (no build step, no CDN),
/// the parameter table as JSON, the model's card, and a WebSocket that speaks the control
/// protocol itself — each socket is one more client of the daemon's control service, with its
/// parser, rate limit, subscriptions and bounded event queue. A browser that stops reading
/// loses its oldest lines; nothing it does can block the worker or the audio thread.
public final class WebServer: @unchecked Sendable {
    public let host: String
    public let port: Int
    /// Needed as `?token=` or an `X-Continuo-Token` header unless the page is bound to loopback.
    public let token: String?
    private let daemon: Daemon
    private var task: Task<Void, Error>?
    /// Lines a browser has not read yet, per socket, before the oldest are dropped.
    static let outboundLines = 1024

    public struct AddressError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `address`: "HOST:PORT" (e.g. 127.0.0.1:8750, 0.0.0.0:8750).
    /// `token`: the one to ask for from other machines (`CONTINUO_WEB_TOKEN`, so a bookmark on
    /// a phone survives restarts); nil: a fresh random one each start.
    public init(daemon: Daemon, address: String, token fixedToken: String? = nil) throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (1...65535).contains(port) else {
            throw AddressError(description: "--web wants HOST:PORT, e.g. 127.0.0.1:8750 (got '\(address)')")
        }
        self.host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
        self.daemon = daemon
        if let fixedToken, fixedToken.count < 16 || !fixedToken.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
            throw AddressError(description: "CONTINUO_WEB_TOKEN must be at least 16 letters, digits, '-' or '_' (it goes in a URL)")
        }
        token = ["127.0.0.1", "localhost", "::1"].contains(host) ? nil : (fixedToken ?? Self.randomToken())
        guard daemon.servesControl else {
            throw AddressError(description: "the web page speaks the control protocol: it needs the control socket (drop --no-socket)")
        }
    }

    /// The addresses to open, token included: on a wildcard address, one per network interface
    /// (what a phone on the same network types), else the one bound.
    public var urls: [String] {
        let hosts = host == "0.0.0.0" || host == "::" ? Self.interfaceAddresses() : [host]
        return (hosts.isEmpty ? [ProcessInfo.processInfo.hostName] : hosts).map { "http://\($0):\(port)/" + (token.map { "?token=\($0)" } ?? "") }
    }

    /// IPv4 addresses of the interfaces that are up, loopback last.
    static func interfaceAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>? = nil
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var found: [String] = []
        var cursor = list
        while let entry = cursor?.pointee {
            defer { cursor = entry.ifa_next }
            guard let address = entry.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET), entry.ifa_flags & UInt32(IFF_UP) != 0 else { continue }
            var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(address, socklen_t(MemoryLayout<sockaddr_in>.size), &name, socklen_t(name.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            found.append(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return found.filter { !$0.hasPrefix("127.") } + found.filter { $0.hasPrefix("127.") }
    }

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    public func start() {
        let app = makeApplication()
        task = Task { try await app.runService(gracefulShutdownSignals: []) }
    }

    public func stop() {
        task?.cancel()
        task = nil
    }

    func authorised(query: String?, header: String?) -> Bool {
        guard let token else { return true }
        if header == token { return true }
        guard let query else { return false }
        return query.split(separator: "&").contains { $0 == "token=\(token)" }
    }

    private func makeApplication() -> some ApplicationProtocol {
        let router = Router()
        let server = self
        router.middlewares.add(TokenMiddleware(server: server))
        router.get("/") { _, _ in Self.response(WebPage.html, type: "text/html; charset=utf-8") }
        router.get("/app.js") { _, _ in Self.response(WebPage.script, type: "text/javascript; charset=utf-8") }
        router.get("/params.json") { _, _ in Self.response(WebParameters.json, type: "application/json") }
        router.get("/card") { [daemon] _, _ in
            let model = daemon.modelPath
            let card = ((model as NSString).deletingPathExtension) + ".md"
            let text = (try? String(contentsOfFile: card, encoding: .utf8)) ?? "No card beside \(model)."
            return Self.response(text, type: "text/markdown; charset=utf-8")
        }
        var logger = Logger(label: "continuo-web")
        logger.logLevel = .warning
        let daemon = self.daemon
        return Application(
            router: router,
            server: .http1WebSocketUpgrade { request, _, _ in
                let path = request.path ?? ""
                let parts = path.split(separator: "?", maxSplits: 1)
                guard parts.first == "/ws" else { return .dontUpgrade }
                let header = request.headerFields[HTTPField.Name("X-Continuo-Token")!]
                guard server.authorised(query: parts.count > 1 ? String(parts[1]) : nil, header: header) else { return .dontUpgrade }
                return .upgrade([:]) { inbound, outbound, _ in
                    let (lines, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(Self.outboundLines))
                    guard let session = daemon.connectControlClient({ line in
                        if case .enqueued = continuation.yield(line) { return true }
                        return false
                    }) else { return }
                    defer {
                        session.close()
                        continuation.finish()
                    }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await line in lines { try await outbound.write(.text(line)) }
                        }
                        group.addTask {
                            for try await message in inbound.messages(maxSize: 1 << 16) {
                                if case let .text(text) = message { session.receive(text) }
                            }
                        }
                        _ = try await group.next()
                        group.cancelAll()
                    }
                }
            },
            configuration: .init(address: .hostname(host, port: port), serverName: "continuo"),
            logger: logger)
    }

    static func response(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Every page and file needs the token when the page is reachable from the network.
struct TokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let server: WebServer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[HTTPField.Name("X-Continuo-Token")!]
        guard server.authorised(query: request.uri.query, header: header) else {
            throw HTTPError(.unauthorized, message: "this page needs the token the daemon printed when it started: open the URL it gave (…/?token=…)")
        }
        return try await next(request, context)
    }
}

/// The parameter table as the page reads it: names, kinds, ranges, choices, defaults, units, docs.
enum WebParameters {
    static var json: String {
        let entries = Parameter.allCases.map { p -> String in
            var fields = ["\"name\":\"\(p.name)\"", "\"section\":\"\(p.section.rawValue)\"", "\"summary\":\(quoted(p.summary))"]
            switch p.domain {
            case let .real(r): fields += ["\"kind\":\"real\"", "\"min\":\(r.lowerBound)", "\"max\":\(r.upperBound)"]
            case let .integer(r): fields += ["\"kind\":\"integer\"", "\"min\":\(r.lowerBound)", "\"max\":\(r.upperBound)"]
            case let .choice(c): fields += ["\"kind\":\"choice\"", "\"choices\":[" + c.map(quoted).joined(separator: ",") + "]"]
            case .flag: fields += ["\"kind\":\"flag\""]
            }
            if let unit = p.unit { fields.append("\"unit\":\(quoted(unit))") }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "[" + entries.joined(separator: ",\n") + "]\n"
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
