import Foundation
import Testing
@testable import ContinuoProtocol
import ContinuoRandom

/// The shared codec (tested on its own in ContinuoJSONTests) as the protocol uses it: random
/// values and fuzzed request lines.
@Suite struct JSONValueTests {
    @Test func writerOutputReadsBackEqual() {
        var rng = SeededRandom(seed: 7)
        for _ in 0..<500 {
            let value = randomJSON(&rng, depth: 0)
            #expect(JSONReader.parse(Array(value.serialized().utf8)).success == value)
        }
    }

    /// Differential check against Foundation: whatever this reader accepts, JSONDecoder accepts
    /// with the same value (Foundation is laxer: trailing commas, duplicate keys).
    @Test func agreesWithFoundationOnWhatItAccepts() {
        var rng = SeededRandom(seed: 99)
        var accepted = 0
        for _ in 0..<5000 {
            let seed = Array(randomJSON(&rng, depth: 0).serialized().utf8)
            let line = Bool.random(using: &rng) ? FuzzTests.mutate(seed, &rng) : seed
            guard let mine = JSONReader.parse(line).success else { continue }
            accepted += 1
            let theirs = try? JSONDecoder().decode(JSONValue.self, from: Data(line))
            #expect(theirs.map(normalised) == normalised(mine), "\(String(decoding: line, as: UTF8.self))")
        }
        #expect(accepted > 2500)
    }

    /// The protocol's bound on nesting counts brackets, not bytes that look like them.
    @Test func bracketsInsideStringsDoNotCountAsNesting() {
        let quoted = #"{"cmd":"ping","id":""# + String(repeating: "[", count: 1000) + #""}"#
        #expect(parse(quoted).success != nil)
        #expect(parse(String(repeating: "[", count: 1000)).failure?.code == .parseError)
    }
}

/// What a value reads back as: integral doubles come back as integers (JSON cannot tell).
func normalised(_ value: JSONValue) -> JSONValue {
    switch value {
    case let .double(d) where d.rounded() == d && abs(d) < 1e15: .int(Int(d))
    case let .array(a): .array(a.map(normalised))
    case let .object(o): .object(o.mapValues(normalised))
    default: value
    }
}

func randomJSON(_ rng: inout SeededRandom, depth: Int) -> JSONValue {
    switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
    case 0: return .null
    case 1: return .bool(Bool.random(using: &rng))
    case 2: return .int(Int.random(in: -1_000_000...1_000_000, using: &rng))
    case 3: return .double(Double(Int.random(in: -100_000...100_000, using: &rng)) / 64)
    case 4:
        let scalars = (0..<Int.random(in: 0...8, using: &rng)).map { _ in
            Unicode.Scalar(UInt32.random(in: 0...0x2FF, using: &rng)).map(Character.init) ?? "?"
        }
        return .string(String(scalars))
    case 5: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomJSON(&rng, depth: depth + 1) })
    default:
        var object: [String: JSONValue] = [:]
        for i in 0..<Int.random(in: 0...4, using: &rng) { object["k\(i)"] = randomJSON(&rng, depth: depth + 1) }
        return .object(object)
    }
}
