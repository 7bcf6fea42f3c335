import Foundation
import Testing
@testable import ContinuoProtocol
import ContinuoRandom

@Suite struct JSONValueTests {
    @Test func readsEveryKindKeepingIntegersIntegers() {
        let value = JSONReader.parse(Array(#"{"a":[1,-2,2.5,1e3,true,false,null,"s\n\u00e9"],"b":{}}"#.utf8)).success
        #expect(value == ["a": [1, -2, 2.5, 1000.0, true, false, .null, "s\né"], "b": .object([:])])
        #expect(value?["a"]?[2]?.doubleValue == 2.5)
        #expect(value?["a"]?[0]?.intValue == 1)
        #expect(value?["a"]?[3]?.intValue == 1000)
        #expect(JSONValue.double(2.5).intValue == nil)
        #expect(value?["missing"] == nil && value?["a"]?[99] == nil)
        #expect(JSONValue.string("x").typeName == "string" && JSONValue.int(1).typeName == "number")
    }

    @Test func writesCompactSortedOneLine() {
        let value: JSONValue = ["z": 1, "a": ["x\ty", 0.1, -0.0, 1e-5, 120.0], "m": .null]
        #expect(value.serialized() == #"{"a":["x\ty",0.1,-0.0,1e-05,120.0],"m":null,"z":1}"#)
        #expect(JSONValue.string("\u{7}").serialized() == #""\u0007""#)
        #expect(JSONValue.double(.nan).serialized() == "null")
    }

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

    @Test func refusesWhatRFC8259Refuses() {
        for text in ["[1,]", "{\"a\":1,}", "{\"a\":1,\"a\":2}", "01", "1.", ".5", "+1", "-", "1e", "NaN", "1e999", "\"\\ud800\"",
                     "\"\\udc00\"", "\"a\u{1}\"", "\"\\x\"", "tru", "nul", "[1 2]", "{1:2}", "", "   ", "1 2", "\"abc"] {
            #expect(JSONReader.parse(Array(text.utf8)).failure?.code == .parseError, "\(text)")
        }
        #expect(JSONReader.parse([0x22, 0xFF, 0x22]).failure?.code == .parseError) // invalid UTF-8
        #expect(JSONReader.parse(Array("\"\\ud83c\\udfb9\"".utf8)).success == "🎹")
        #expect(JSONReader.parse(Array("1.0".utf8)).success == .double(1))
        #expect(JSONReader.parse(Array("-9223372036854775808".utf8)).success == .int(.min))
        #expect(JSONReader.parse(Array("9223372036854775808".utf8)).success == .double(9223372036854775808))
    }

    @Test func codableThroughFoundation() throws {
        let value: JSONValue = ["k": [1, 2.5, "s", true, .null]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }

    @Test func nestingIsBoundedBeforeDecoding() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(JSONReader.parse(Array(deep.utf8)).failure?.code == .parseError)
        // Brackets inside strings do not count.
        let quoted = #"{"cmd":"ping","id":""# + String(repeating: "[", count: 1000) + #""}"#
        #expect(parse(quoted).success != nil)
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
