import Testing
import ContinuoJSON
import ContinuoRandom

@Suite struct JSONReaderTests {
    @Test func readsEveryKindKeepingIntegersIntegers() {
        let value = read(#"{"a":[1,-2,2.5,1e3,true,false,null,"s\n\u00e9"],"b":{}}"#)
        #expect(value == ["a": [1, -2, 2.5, 1000.0, true, false, .null, "s\né"], "b": .object([:])])
        #expect(value?["a"]?[2]?.doubleValue == 2.5)
        #expect(value?["a"]?[0]?.intValue == 1)
        #expect(value?["a"]?[3]?.intValue == 1000)
        #expect(JSONValue.double(2.5).intValue == nil)
        #expect(value?["missing"] == nil && value?["a"]?[99] == nil)
        #expect(JSONValue.string("x").typeName == "string" && JSONValue.int(1).typeName == "number")
    }

    @Test func refusesWhatRFC8259Refuses() {
        for text in ["[1,]", "{\"a\":1,}", "{\"a\":1,\"a\":2}", "01", "1.", ".5", "+1", "-", "1e", "NaN", "1e999", "\"\\ud800\"",
                     "\"\\udc00\"", "\"a\u{1}\"", "\"\\x\"", "tru", "nul", "[1 2]", "{1:2}", "", "   ", "1 2", "\"abc"] {
            #expect(syntaxError(text) != nil, "\(text)")
        }
        #expect(read([0x22, 0xFF, 0x22]) == nil) // invalid UTF-8
        #expect(read("\"\\ud83c\\udfb9\"") == "🎹")
        #expect(read("1.0") == .double(1))
        #expect(read("-9223372036854775808") == .int(.min))
        #expect(read("9223372036854775808") == .double(9223372036854775808))
    }

    /// Safetensors offsets of files over 8 PB would not survive a trip through Double.
    @Test func integersBeyondDoublePrecisionStayExact() {
        #expect(read("9007199254740993") == .int(9_007_199_254_740_993))
        #expect(read("[0, 9007199254740993]")?[1]?.intValue == 9_007_199_254_740_993)
    }

    /// A refusal names the byte and the reason, so a bad request line or a corrupt file header
    /// can be found by eye.
    @Test func errorsSayWhereAndWhy() {
        #expect(syntaxError(#"{"a":1,"a":2}"#) == JSONSyntaxError(byteOffset: 12, reason: "duplicate key 'a'"))
        #expect(syntaxError("[1,]") == JSONSyntaxError(byteOffset: 3, reason: "unexpected character"))
        #expect(syntaxError("{\"a\" 1}")?.reason == "expected ':'")
        #expect(syntaxError("[1] x")?.description == "malformed JSON at byte 4: unexpected text after the value")
        let longKey = String(repeating: "k", count: 10_000)
        #expect(syntaxError("{\"\(longKey)\":1,\"\(longKey)\":2}").map { $0.reason.count < 100 } == true)
    }

    @Test func nestingIsBoundedBeforeDecoding() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(syntaxError(deep)?.reason == "nested deeper than \(JSONReader.defaultMaxDepth) levels")
        #expect(read(String(repeating: "[", count: 3) + String(repeating: "]", count: 3)) != nil)
        #expect(read(Array("[[[]]]".utf8), maxDepth: 2) == nil)
    }

    /// Random bytes, and random damage to valid documents: an answer every time, never a trap.
    @Test func anyBytesGetAnAnswer() {
        var random = SeededRandom(seed: 17)
        func byte() -> UInt8 { UInt8.random(in: 0...255, using: &random) }
        let alphabet = Array(#"{}[],:"\ u0123456789.eE+-truefalsn"#.utf8)
        for _ in 0..<20_000 {
            let bytes = (0..<Int(byte() % 24)).map { _ in byte() < 200 ? alphabet[Int(byte()) % alphabet.count] : byte() }
            switch JSONReader.parse(bytes) {
            case .success(let value): #expect(read(value.serialized()) == value)
            case .failure(let error): #expect((0...bytes.count).contains(error.byteOffset))
            }
        }
    }
}

func read(_ text: String) -> JSONValue? { read(Array(text.utf8)) }

func read(_ bytes: [UInt8], maxDepth: Int = JSONReader.defaultMaxDepth) -> JSONValue? {
    if case .success(let value) = JSONReader.parse(bytes, maxDepth: maxDepth) { value } else { nil }
}

func syntaxError(_ text: String) -> JSONSyntaxError? {
    if case .failure(let error) = JSONReader.parse(Array(text.utf8)) { error } else { nil }
}
