import Testing
@testable import ContinuoProtocol
import ContinuoRandom

/// 20,000 mutations of valid request lines. The parser must answer each with a request or a
/// typed request error (never crash, never a non-1xx code), a parsed request must encode back
/// to itself, an error reply must be one valid line, and the whole run must stay fast.
@Suite struct FuzzTests {
    static let seeds: [String] = [
        #"{"id":1,"cmd":"ping"}"#,
        #"{"id":"a","cmd":"set","param":"temperature","value":0.8,"instance":"main"}"#,
        #"{"cmd":"set","param":"mode","value":"call-response"}"#,
        #"{"id":null,"cmd":"set","param":"top_k","value":40}"#,
        #"{"cmd":"get","param":"bpm"}"#,
        #"{"cmd":"preset","action":"load","name":"jam"}"#,
        #"{"cmd":"model","action":"load","path":"models/a.cmodel"}"#,
        #"{"cmd":"capture","path":"out.mid","bars":8}"#,
        #"{"cmd":"subscribe","topics":["notes","params","mode","model","xruns","warnings"]}"#,
        #"{"cmd":"instance","action":"add","name":"bass","preset":"accompany"}"#,
        #"{"id":2.5,"cmd":"status","instance":"bass"}"#,
    ]

    static let tokens: [String] = ["{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "false", "-0", "1e999", "1e-999",
                                   "9223372036854775808", "\\u0000", "\\ud800", "\u{0}", "\n", "é", "🎹", "\"cmd\"", "\"id\"",
                                   "\"value\"", "\"instance\"", "[[[[[[[[", "{\"a\":{\"a\":", "NaN", "0x10", "+1", ".5"]

    /// Half the time a structural mutation (a member replaced, removed or added), which gets
    /// past the JSON syntax into the command checks; otherwise byte-level damage.
    static func mutate(_ line: [UInt8], _ rng: inout SeededRandom) -> [UInt8] {
        if Bool.random(using: &rng), case var .object(members)? = JSONReader.parse(line).success {
            let keys = ["id", "cmd", "action", "param", "value", "name", "path", "bars", "topics", "instance", "preset"]
            let key = Bool.random(using: &rng) ? keys.randomElement(using: &rng)! : members.keys.sorted().randomElement(using: &rng) ?? "cmd"
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: members[key] = nil
            case 1: members[key] = randomJSON(&rng, depth: 2)
            case 2: members[key] = [JSONValue.int(Int.random(in: -1000...1000, using: &rng)), .double(Double.random(in: -10...10, using: &rng)),
                                    .string(Parameter.allCases.randomElement(using: &rng)!.name), .string(""), .null, .bool(true)].randomElement(using: &rng)!
            default: members[key] = .string(["main", "../x", "call-response", "load", "add", "list", "notes", "x.mid"].randomElement(using: &rng)!)
            }
            return Array(JSONValue.object(members).serialized().utf8)
        }
        var bytes = line
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0 where !bytes.isEmpty:   // flip bits
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            case 1:                         // truncate
                bytes = Array(bytes.prefix(position))
            case 2:                         // insert random bytes
                bytes.insert(contentsOf: (0..<Int.random(in: 1...6, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }, at: position)
            case 3:                         // insert a JSON-ish token
                bytes.insert(contentsOf: Array(tokens.randomElement(using: &rng)!.utf8), at: position)
            case 4 where !bytes.isEmpty:   // delete a run
                let end = min(bytes.count, position + Int.random(in: 1...8, using: &rng))
                if position < end { bytes.removeSubrange(position..<end) }
            case 5:                         // splice with another seed
                let other = Array(seeds.randomElement(using: &rng)!.utf8)
                bytes = Array(bytes.prefix(position)) + other.suffix(Int.random(in: 0...other.count, using: &rng))
            case 6:                         // a random JSON document, sometimes shaped like a request
                var value = randomJSON(&rng, depth: 0)
                if Bool.random(using: &rng), case var .object(members) = value {
                    members["cmd"] = .string(RequestParser.commands.randomElement(using: &rng)!)
                    value = .object(members)
                }
                bytes = Array(value.serialized().utf8)
            default:                        // duplicate a slice (repeated keys, long values)
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &rng))
                if position < end { bytes.insert(contentsOf: bytes[position..<end], at: position) }
            }
        }
        return bytes
    }

    @Test func twentyThousandMutationsGetARequestOrATypedError() throws {
        var docsSeeds = docExchanges(try protocolDocs()).map(\.request).filter { !$0.isEmpty }
        docsSeeds += Self.seeds
        var rng = SeededRandom(seed: 0xC0_FFEE)
        var counts: [ErrorCode: Int] = [:]
        var parsed = 0
        let clock = ContinuousClock()
        var slowest = Duration.zero
        let start = clock.now
        for _ in 0..<20_000 {
            let line = Self.mutate(Array(docsSeeds.randomElement(using: &rng)!.utf8), &rng)
            let before = clock.now
            let outcome = RequestParser.parse(line: line)
            slowest = max(slowest, clock.now - before)
            switch outcome {
            case let .success(request):
                parsed += 1
                #expect(RequestParser.parse(line: request.line).success == request, "\(request.line)")
            case let .failure(error):
                counts[error.code, default: 0] += 1
                #expect(error.code.number < 200, "\(error)")
                #expect(error.requestID?.isScalar ?? true)
                let reply = Reply.failure(error).encoded
                #expect(reply.firstIndex(of: 0x0A) == reply.count - 1)
                #expect(ServerMessage.parse(bytes: reply.dropLast()).success != nil)
            }
        }
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(60), "fuzzing took \(elapsed)")
        #expect(slowest < .seconds(1), "one line took \(slowest)")
        // The mutations reach far: some survive, and most error kinds are produced.
        #expect(parsed > 100)
        #expect(counts.keys.count >= 7, "\(counts)")
        print("fuzz: \(parsed) parsed, errors \(counts.sorted { $0.key.number < $1.key.number }.map { "\($0.key.rawValue)=\($0.value)" }), \(elapsed)")
    }

    @Test func theFramerNeverHoldsMoreThanItsBoundOnRandomBytes() {
        var rng = SeededRandom(seed: 11)
        var framer = LineFramer(maxLineBytes: 256)
        for _ in 0..<2000 {
            let chunk = (0..<Int.random(in: 0...600, using: &rng)).map { _ in
                Int.random(in: 0..<50, using: &rng) == 0 ? UInt8(0x0A) : UInt8.random(in: 0...255, using: &rng)
            }
            for output in framer.feed(chunk) {
                if case let .line(line) = output {
                    #expect(line.count <= 256)
                    _ = RequestParser.parse(line: line)
                }
            }
            #expect(framer.bufferedBytes <= 256)
        }
    }
}
