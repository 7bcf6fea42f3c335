import ContinuoTestSupport
import ContinuoMIDI
import Testing
@testable import ContinuoEncoding

@Suite struct TranspositionTests {
    let notes = [Fixtures.note(21, 0, 1), Fixtures.note(100, 0.5, 1), Fixtures.note(64, 1, 2)]

    @Test func transposingTokensTransposesTheNotes() throws {
        let tokens = EventCodec.encode(notes)
        for shift in [-21, -5, 0, 7, 27] {
            let moved = try #require(Transposition.transpose(tokens, by: shift))
            let expected = quantize(notes).map { n -> QuantizedNote in
                var n = n
                n.pitch = UInt8(Int(n.pitch) + shift)
                return n
            }
            #expect(EventCodec.decode(moved) == expected)
        }
    }

    @Test func shiftsLeavingTheKeyboardAreRefused() {
        let tokens = EventCodec.encode(notes)
        #expect(Transposition.allowedShifts(tokens) == -21...27)
        #expect(Transposition.transpose(tokens, by: -22) == nil)
        #expect(Transposition.transpose(tokens, by: 28) == nil)
    }
}
