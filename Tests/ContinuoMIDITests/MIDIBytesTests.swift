import ContinuoMIDI
import Testing

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
}

/// A file's channel messages and the wire's short messages convert both ways without loss.
@Suite struct MIDIMessageBytesTests {
    @Test func everyChannelMessageRoundTrips() {
        let messages: [MIDIMessage] = [
            .noteOff(channel: 3, note: 60, velocity: 40), .noteOn(channel: 0, note: 127, velocity: 0),
            .polyphonicPressure(channel: 15, note: 1, pressure: 2), .controlChange(channel: 9, controller: 64, value: 127),
            .programChange(channel: 2, program: 33), .channelPressure(channel: 4, pressure: 90),
            .pitchBend(channel: 1, value: 0x3FFF), .pitchBend(channel: 1, value: 8192),
        ]
        for message in messages {
            let bytes = try! #require(message.shortMessage)
            #expect(bytes.count == MIDIBytes.length(ofStatus: bytes.status))
            #expect(MIDIMessage(bytes) == message)
        }
        #expect(MIDIMessage.sysex([0x7E, 0xF7]).shortMessage == nil)
        #expect(MIDIMessage(.clockTick) == nil, "system real-time has no place in a track")
    }
}
