import Testing
@testable import ContinuoProtocol

/// docs/protocol.md and the code cannot drift: its tables are the generated ones, every
/// request example parses, every request-error example shows exactly what the parser answers.
@Suite struct DocsTests {
    @Test func errorCodesAreUniqueAndGrouped() {
        let codes = ErrorCode.allCases
        #expect(Set(codes.map(\.rawValue)).count == codes.count)
        #expect(Set(codes.map(\.number)).count == codes.count)
        for code in codes {
            #expect(ErrorCode(number: code.number) == code)
            #expect((100..<600).contains(code.number))
        }
        #expect(ErrorCode.parseError.subsystem == "request")
        #expect(ErrorCode.unknownInstance.subsystem == "state")
        #expect(ErrorCode.modelInvalid.subsystem == "files")
        #expect(ErrorCode.jackUnavailable.subsystem == "jack")
        #expect(ErrorCode.internalError.subsystem == "internal")
    }

    @Test func docsListEveryErrorCodeExactlyOnce() throws {
        let docs = try protocolDocs()
        #expect(docs.contains(ErrorCode.markdownTable), "paste ErrorCode.markdownTable into docs/protocol.md:\n\(ErrorCode.markdownTable)")
        let rows = docs.split(separator: "\n").filter { $0.hasPrefix("| 1") || $0.hasPrefix("| 2") || $0.hasPrefix("| 3") || $0.hasPrefix("| 4") || $0.hasPrefix("| 5") }
        for code in ErrorCode.allCases {
            let mentions = rows.filter { $0.contains("| `\(code.rawValue)` |") }
            #expect(mentions.count == 1, "\(code.rawValue) appears in \(mentions.count) table rows")
        }
    }

    @Test func docsHaveTheParameterTable() throws {
        let docs = try protocolDocs()
        #expect(docs.contains(Parameter.markdownTable), "paste Parameter.markdownTable into docs/protocol.md:\n\(Parameter.markdownTable)")
    }

    @Test func everyCommandHasADocumentedExample() throws {
        let exchanges = docExchanges(try protocolDocs())
        let parsed = exchanges.compactMap { parse($0.request).success?.command.name }
        let all = ["ping", "version", "status", "get", "set", "preset.list", "preset.load", "preset.save", "model.load", "panic",
                   "pause", "resume", "capture", "performer.reset", "rate", "subscribe", "unsubscribe", "instance.add", "instance.remove", "instance.list"]
        for name in all {
            #expect(parsed.contains(name), "no working example of \(name)")
        }
    }

    @Test func everyExampleExchangeMatchesTheParser() throws {
        let exchanges = docExchanges(try protocolDocs())
        #expect(exchanges.count > 40)
        for exchange in exchanges {
            #expect(exchange.output.first == Hello().line, "\(exchange.request): first line must be the hello")
            let replies = exchange.output.dropFirst().filter { $0.hasPrefix("{\"id\"") || $0.hasPrefix("{\"ok\"") }
            #expect(replies.count == 1, "\(exchange.request): expected one reply line")
            guard let replyLine = replies.first else { continue }
            guard case let .success(.reply(reply)) = ServerMessage.parse(line: replyLine) else {
                Issue.record("not a reply: \(replyLine)")
                continue
            }
            // What the docs show is byte for byte what the encoder writes for it.
            #expect(reply.line == replyLine, "the encoder writes \(reply.line)")
            guard !exchange.request.isEmpty else { continue } // the 1 MB line: see the next test
            let outcome = parse(exchange.request)
            switch (outcome, reply) {
            case let (.failure(error), _):
                // A request error: the docs must show exactly the parser's reply.
                #expect(Reply.failure(error).line == replyLine, "\(exchange.request): the docs should show\n\(Reply.failure(error).line)")
            case let (.success(request), .success(id, _)):
                #expect(request.id == id, "\(exchange.request): reply id")
            case let (.success(request), .failure(id, error)):
                #expect(request.id == id, "\(exchange.request): reply id")
                #expect(error.code.number >= 200, "\(exchange.request) parses, yet the docs show \(error.code.rawValue)")
            }
        }
    }

    @Test func oneMegabyteExampleMatchesTheFramer() throws {
        var framer = LineFramer()
        let outputs = framer.feed([UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)) + [framer.finish()].compactMap { $0 }
        #expect(outputs == [.tooLong])
        let docs = try protocolDocs()
        #expect(docs.contains(Reply.failure(ProtocolError(.lineTooLong, "request lines are at most \(Limits.maxLineBytes) bytes")).line))
    }

    @Test func documentedEnvelopesAndEventsRoundTrip() throws {
        let lines = docJSONLines(try protocolDocs())
        var events = Set<String>()
        for line in lines {
            guard case let .success(message) = ServerMessage.parse(line: line) else {
                // The request envelope example is the one line that is a request.
                #expect(parse(line).success != nil, "not a server line nor a request: \(line)")
                continue
            }
            switch message {
            case let .hello(hello): #expect(hello.line == line)
            case let .reply(reply): #expect(ServerMessage.parse(line: reply.line).success == message)
            case let .event(event):
                #expect(event.line == line, "the encoder writes \(event.line)")
                events.insert(event.name)
            }
        }
        #expect(events == ["note", "param", "mode", "model", "xrun", "warning", "tempo", "harmony", "dropped"])
    }
}
