import ContinuoTestSupport
import Testing
@testable import ContinuoMIDI

/// The corpus's `odd/` files, checked against what their README says they contain.
@Suite struct OddFilesTests {
    func performance(_ name: String) throws -> (MIDIReadResult, Performance) {
        let read = try Fixtures.read(Fixtures.odd.appendingPathComponent(name))
        return (read, NoteExtractor().performance(of: read.file))
    }

    @Test func formatTwoPatternsKeepTheirOwnTempo() throws {
        let (read, performance) = try performance("type2_independent_patterns.mid")
        #expect(read.file.format == .independentPatterns)
        #expect(performance.notes.count == 42)
        let perPattern = Dictionary(grouping: performance.notes, by: \.track).mapValues(\.count)
        #expect(perPattern == [0: 8, 1: 4, 2: 30])
        let durations = (0..<3).map { TempoMap(file: read.file, track: $0).seconds(atTick: read.file.tracks[$0].endTick) }
        #expect(durations == [2.0, 6.0, 16.0])
        // Patterns are laid end to end: B starts when A ends, C when B ends.
        #expect(performance.durationSeconds == 24.0)
        let firstOfC = try #require(performance.notes.first { $0.track == 2 })
        #expect(firstOfC.onsetSeconds == 8.0)
    }

    @Test func unknownChunkIsSkipped() throws {
        let (read, performance) = try performance("unknown_chunk_type.mid")
        #expect(read.file.tracks.count == 2)
        #expect(performance.notes.count == 30)
        #expect(abs(performance.durationSeconds - 19.2) < 1e-9)
        #expect(read.warnings.contains { $0.message.contains("XFIH") })
    }

    @Test func noteOffStylesOverlapsAndPedal() throws {
        let (read, performance) = try performance("noteoff_styles_overlaps_controllers.mid")
        #expect(read.file.format == .singleTrack)
        #expect(performance.notes.count == 10)
        #expect(performance.durationSeconds == 2.625)
        #expect(performance.notes.contains { $0.pitch == 0 && $0.velocity == 1 })
        #expect(performance.notes.contains { $0.pitch == 127 && $0.velocity == 127 })
        // No two notes of one pitch overlap.
        for (_, same) in Dictionary(grouping: performance.notes, by: \.pitch) {
            let sorted = same.sorted { $0.onsetTick < $1.onsetTick }
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.offsetTick <= b.onsetTick) }
        }
        // The pedal holds notes past their note-off: two notes end exactly at the pedal's release.
        let pedalUps = read.file.tracks[0].events.filter { $0.message == .controlChange(channel: 0, controller: 64, value: 0) }.map(\.tick)
        let release = try #require(pedalUps.first)
        #expect(performance.notes.filter { $0.offsetTick == release }.count == 2)
        // The unterminated last note is closed, not dropped.
        let last = try #require(performance.notes.max { $0.onsetTick < $1.onsetTick })
        #expect(last.offsetTick > last.onsetTick)
    }

    @Test func extremeTimingIsExact() throws {
        let (read, performance) = try performance("extreme_timing.mid")
        #expect(read.file.division == .ticksPerQuarter(32767))
        #expect(performance.notes.count == 5)
        #expect(abs(performance.durationSeconds - 52.895) < 0.001)
        #expect(performance.notes.contains { $0.offsetTick == $0.onsetTick }) // the zero-length note is kept
        #expect(performance.notes.contains { $0.offsetTick - $0.onsetTick == 1 && $0.durationSeconds < 20e-6 })
    }

    @Test func fileWithoutNotes() throws {
        let (read, performance) = try performance("no_notes.mid")
        #expect(read.file.tracks.count == 2)
        #expect(performance.notes.isEmpty)
        #expect(performance.durationSeconds == 6.0)
    }
}
