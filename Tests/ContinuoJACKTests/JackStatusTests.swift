import Testing
import ContinuoJACK

@Suite struct JackStatusTests {
    @Test func statusBitsDecodeToText() {
        let s = JackStatus([.failure, .serverFailed])
        #expect(s.description == "overall operation failed, unable to connect to the JACK server")
        #expect(JackStatus(rawValue: 0x8000_0000).description.contains("unknown bits"))
    }
}
