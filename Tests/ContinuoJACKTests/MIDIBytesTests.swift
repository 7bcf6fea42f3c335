import Testing
import ContinuoJACK

@Suite struct MIDIBytesTests {
    @Test func lengthFromStatus() {
        #expect(MIDIBytes(0x90, 60, 100).count == 3)
        #expect(MIDIBytes(0xC2, 5).count == 2)
        #expect(MIDIBytes(0xF8).count == 1)
        #expect(MIDIBytes(0xF2, 1, 2).count == 3)
    }

    @Test func noteClassification() {
        #expect(MIDIBytes.noteOn(channel: 1, pitch: 60, velocity: 1).isNoteOn)
        #expect(MIDIBytes(0x91, 60, 0).isNoteOff, "note-on with velocity 0 is a note-off")
        #expect(MIDIBytes.noteOff(channel: 15, pitch: 127).isNoteOff)
        #expect(MIDIBytes.allNotesOff(channel: 2) == MIDIBytes(0xB2, 123, 0))
        #expect(MIDIBytes.noteOn(channel: 17, pitch: 200, velocity: 255) == MIDIBytes(0x91, 72, 127))
    }

    @Test func statusBitsDecodeToText() {
        let s = JackStatus([.failure, .serverFailed])
        #expect(s.description == "overall operation failed, unable to connect to the JACK server")
        #expect(JackStatus(rawValue: 0x8000_0000).description.contains("unknown bits"))
    }
}
