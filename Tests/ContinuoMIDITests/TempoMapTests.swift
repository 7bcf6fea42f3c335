import Testing
@testable import ContinuoMIDI

@Suite struct TempoMapTests {
    /// 480 tpq: 120 bpm for 2 beats, then 60 bpm for 1 beat, then 240 bpm.
    let map = TempoMap(division: .ticksPerQuarter(480), changes: [(tick: 960, tempo: 1_000_000), (tick: 1440, tempo: 250_000)])

    @Test func ticksToSecondsAndBeats() {
        #expect(map.seconds(atTick: 0) == 0)
        #expect(map.seconds(atTick: 960) == 1.0)
        #expect(map.seconds(atTick: 1440) == 2.0)
        #expect(map.seconds(atTick: 1920) == 2.25)
        #expect(map.beats(atTick: 1920) == 4.0)
        #expect(map.bpm(atTick: 1000) == 60)
    }

    @Test func conversionsInvertExactly() {
        for tick in stride(from: 0, through: 5000, by: 37) {
            let seconds = map.seconds(atTick: tick)
            #expect(abs(map.tick(atSeconds: seconds) - Double(tick)) < 1e-9)
            let beats = map.beats(atTick: tick)
            #expect(abs(map.tick(atBeats: beats) - Double(tick)) < 1e-9)
            #expect(abs(map.seconds(atBeats: beats) - seconds) < 1e-12)
            #expect(abs(map.beats(atSeconds: seconds) - beats) < 1e-9)
        }
    }

    @Test func tempoInAnyTrackCountsForFormatOne() throws {
        let conductor: [UInt8] = SMF.endOfTrack
        let melody: [UInt8] = [0x00, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40, 0x00, 0x90, 60, 100, 0x83, 0x60, 0x80, 60, 0] + SMF.endOfTrack
        let file = try MIDIFileReader.read(SMF.file(tracks: [conductor, melody])).file
        let note = try #require(NoteExtractor().performance(of: file).notes.first)
        #expect(note.durationSeconds == 1.0) // 480 ticks at 60 bpm
    }

    @Test func sameTickTempoChangesLastWins() {
        let m = TempoMap(division: .ticksPerQuarter(100), changes: [(tick: 0, tempo: 1_000_000), (tick: 0, tempo: 2_000_000)])
        #expect(m.seconds(atTick: 100) == 2.0)
    }
}
