import Testing
@testable import ContinuoProtocol

@Suite struct ReplyEventTests {
    @Test func helloLine() {
        #expect(Hello().line == #"{"hello":"continuo","protocol":1,"version":"0.1.0"}"#)
        #expect(ProtocolVersion.current == 1)
        #expect(Hello().encoded.last == 0x0A)
        #expect(ServerMessage.parse(line: Hello(serverVersion: "9.9").line).success == .hello(Hello(serverVersion: "9.9")))
    }

    @Test func replyEnvelopes() {
        #expect(Reply.success(id: 1, result: "pong").line == #"{"id":1,"ok":true,"result":"pong"}"#)
        #expect(Reply.success(id: nil, result: .null).line == #"{"ok":true,"result":null}"#)
        #expect(Reply.success(id: .null, result: ["b": 1, "a": [true, 2.5]]).line == #"{"id":null,"ok":true,"result":{"a":[true,2.5],"b":1}}"#)
        let error = ProtocolError(.unknownCommand, "unknown command 'x'")
        #expect(Reply.failure(id: "q", error: error).line
            == #"{"id":"q","ok":false,"error":{"code":"unknown_command","number":103,"message":"unknown command 'x'"}}"#)
        #expect(Reply.failure(error.with(requestID: 5)).id == 5)
        let request = Request(id: 9, command: .status)
        #expect(Reply.answer(request, with: .failure(ProtocolError(.jackUnavailable, "no JACK"))).line
            == #"{"id":9,"ok":false,"error":{"code":"jack_unavailable","number":400,"message":"no JACK"}}"#)
        #expect(Reply.answer(request, with: .success(["ok": true])).isSuccess)
    }

    @Test func repliesAreOneLineWhateverTheyCarry() {
        let nasty = "a\nb\r\"c\\\u{0}\u{1F}\u{2028}é🎹"
        let reply = Reply.failure(id: .string(nasty), error: ProtocolError(.ioError, nasty, details: [nasty: .string(nasty)]))
        let bytes = reply.encoded
        #expect(bytes.filter { $0 == 0x0A }.count == 1 && bytes.last == 0x0A)
        #expect(bytes.allSatisfy { $0 >= 0x20 || $0 == 0x0A })
        #expect(ServerMessage.parse(line: reply.line).success == .reply(reply))
        #expect(Reply.success(id: 1, result: .double(.infinity)).line == #"{"id":1,"ok":true,"result":null}"#)
    }

    @Test func clientReadsUnknownCodesByNumber() {
        let line = #"{"id":1,"ok":false,"error":{"code":"from_the_future","number":206,"message":"m"}}"#
        guard case let .success(.reply(.failure(_, error))) = ServerMessage.parse(line: line) else {
            Issue.record("not read")
            return
        }
        #expect(error.code == .internalError) // 206 is not known to this client
        #expect(ServerMessage.parse(line: #"{"id":1,"ok":false,"error":{"code":"x","number":204,"message":"m"}}"#).success
            == .reply(.failure(id: 1, error: ProtocolError(.overloaded, "m"))))
    }

    @Test func eventsEncodeAsDocumentedAndRoundTrip() {
        let events: [(Event, String)] = [
            (Event(instance: "main", .note(.init(direction: .incoming, channel: 1, pitch: 60, velocity: 90, frame: 123))),
             #"{"event":"note","instance":"main","dir":"in","channel":1,"pitch":60,"velocity":90,"frame":123}"#),
            (Event(instance: "main", .param(.temperature, .real(0.8))), #"{"event":"param","instance":"main","param":"temperature","value":0.8}"#),
            (Event(instance: "a", .param(.mode, .choice("off"))), #"{"event":"param","instance":"a","param":"mode","value":"off"}"#),
            (Event(instance: "a", .mode("effect", paused: false)), #"{"event":"mode","instance":"a","mode":"effect","paused":false}"#),
            (Event(instance: "a", .model(path: "m.cmodel")), #"{"event":"model","instance":"a","path":"m.cmodel"}"#),
            (Event(.xrun(count: 3)), #"{"event":"xrun","count":3}"#),
            (Event(.warning(code: nil, message: "hm")), #"{"event":"warning","message":"hm"}"#),
            (Event(.dropped(count: 5, topics: [.notes: 4, .warnings: 1])), #"{"event":"dropped","count":5,"topics":{"notes":4,"warnings":1}}"#),
        ]
        for (event, line) in events {
            #expect(event.line == line)
            #expect(ServerMessage.parse(line: line).success == .event(event))
        }
        // Unknown fields are ignored; unknown events are not events.
        #expect(Event(json: ["event": "xrun", "count": 1, "new_field": "x"]) == Event(.xrun(count: 1)))
        #expect(Event(json: ["event": "sparkle"]) == nil)
    }

    @Test func subscriptionFiltersByTopic() {
        var subscription = Subscription()
        let note = Event(.note(.init(direction: .outgoing, channel: 2, pitch: 40, velocity: 0, frame: 0)))
        let dropped = Event(.dropped(count: 1, topics: [.notes: 1]))
        #expect(!subscription.wants(note) && !subscription.wants(dropped))
        subscription.subscribe([.params])
        #expect(!subscription.wants(note) && subscription.wants(dropped))
        #expect(subscription.wants(Event(.param(.bpm, .real(90)))))
        subscription.subscribe([.notes])
        subscription.unsubscribe([.params])
        #expect(subscription.wants(note) && subscription.topics == [.notes])
    }

    @Test func tokenBucketShedsBeyondTheRate() {
        var bucket = TokenBucket(rate: 1000, burst: 10)
        var admitted = 0
        // 10,000 requests spread over one second: burst plus about one per millisecond.
        for i in 0..<10_000 where bucket.admit(atNanoseconds: UInt64(i) * 100_000) { admitted += 1 }
        #expect((1000...1011).contains(admitted))
        // Time going backwards (a bad clock) grants nothing extra.
        var other = TokenBucket(rate: 1, burst: 1)
        let first = other.admit(atNanoseconds: 5_000_000_000)
        let backwards = other.admit(atNanoseconds: 1)
        let after = other.admit(atNanoseconds: 5_000_000_001)
        #expect(first && !backwards && !after)
    }
}
