import Testing
@testable import ContinuoMIDI

@Suite struct NoteExtractorTests {
    func notes(_ events: [UInt8], includeDrums: Bool = false) throws -> [Note] {
        let file = try MIDIFileReader.read(SMF.file(format: 0, division: 100, tracks: [events + SMF.endOfTrack])).file
        return NoteExtractor(includeDrums: includeDrums).performance(of: file).notes
    }

    @Test func velocityZeroIsNoteOff() throws {
        let n = try notes([0x00, 0x90, 60, 80, 0x64, 0x90, 60, 0])
        #expect(n.map { [$0.onsetTick, $0.offsetTick] } == [[0, 100]])
        #expect(n[0].durationBeats == 1.0)
    }

    @Test func sustainPedalHoldsUntilLifted() throws {
        // Pedal down at 0, note 0-50, pedal up at 200.
        let n = try notes([0x00, 0xB0, 64, 127, 0x00, 0x90, 60, 80, 0x32, 0x80, 60, 0, 0x81, 0x16, 0xB0, 64, 0])
        #expect(n.map(\.offsetTick) == [200])
    }

    @Test func restrikeUnderPedalEndsTheHeldNote() throws {
        let n = try notes([0x00, 0xB0, 64, 127, 0x00, 0x90, 60, 80, 0x0A, 0x80, 60, 0, 0x0A, 0x90, 60, 70, 0x0A, 0x80, 60, 0, 0x64, 0xB0, 64, 0])
        #expect(n.map { [$0.onsetTick, $0.offsetTick] } == [[0, 20], [20, 130]])
    }

    @Test func overlappingSamePitchIsResolved() throws {
        // on 0, on 10, off 20, off 30: the first ends at 10, the second sounds until the last off.
        let n = try notes([0x00, 0x90, 60, 80, 0x0A, 0x90, 60, 90, 0x0A, 0x80, 60, 0, 0x0A, 0x80, 60, 0])
        #expect(n.map { [$0.onsetTick, $0.offsetTick] } == [[0, 10], [10, 30]])
    }

    @Test func drumsAreLeftOutByDefault() throws {
        let events: [UInt8] = [0x00, 0x99, 36, 100, 0x00, 0x90, 60, 80, 0x0A, 0x89, 36, 0, 0x00, 0x80, 60, 0]
        #expect(try notes(events).map(\.pitch) == [60])
        #expect(try notes(events, includeDrums: true).map(\.pitch) == [36, 60])
    }

    @Test func programAndChannelAreKept() throws {
        let n = try notes([0x00, 0xC3, 40, 0x00, 0x93, 60, 80, 0x0A, 0x83, 60, 0])
        #expect(n.first?.channel == 3)
        #expect(n.first?.program == 40)
    }

    @Test func allNotesOffEndsSoundingNotes() throws {
        let n = try notes([0x00, 0x90, 60, 80, 0x00, 0x90, 64, 80, 0x0A, 0xB0, 123, 0, 0x0A, 0x80, 60, 0])
        #expect(n.map(\.offsetTick) == [10, 10])
    }
}
