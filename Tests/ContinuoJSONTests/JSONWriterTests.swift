import Foundation
import Testing
import ContinuoJSON

@Suite struct JSONWriterTests {
    @Test func writesCompactSortedOneLine() {
        let value: JSONValue = ["z": 1, "a": ["x\ty", 0.1, -0.0, 1e-5, 120.0], "m": .null]
        #expect(value.serialized() == #"{"a":["x\ty",0.1,-0.0,1e-05,120.0],"m":null,"z":1}"#)
        #expect(JSONValue.string("\u{7}").serialized() == #""\u0007""#)
        #expect(JSONValue.string("a\nb\u{2028}").serialized() == #""a\nb\u2028""#)
        #expect(JSONValue.double(.nan).serialized() == "null")
    }

    @Test func objectKeepsTheGivenOrderAndLeavesOutNils() {
        #expect(JSONWriter.object([("z", 1), ("gone", nil), ("a", ["k": "v"])]) == #"{"z":1,"a":{"k":"v"}}"#)
    }

    @Test func codableThroughFoundation() throws {
        let value: JSONValue = ["k": [1, 2.5, "s", true, .null]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }
}
