import ContinuoMIDI
import Testing
@testable import ContinuoEncoding

@Suite struct TrackFilterTests {
    func track(_ index: Int, pitches: [UInt8], chord: Bool = false, channel: UInt8 = 0) -> [Note] {
        pitches.enumerated().map { i, p in
            Note(pitch: p, velocity: 80, channel: channel, track: index, onsetTick: chord ? (i / 3) * 100 : i * 100,
                 offsetTick: 0, onsetBeats: 0, durationBeats: 1)
        }
    }

    @Test func rolesFromNotes() {
        #expect(TrackFilter.role(of: track(0, pitches: [60, 62, 64, 65, 67, 69, 71, 72])) == .melody)
        #expect(TrackFilter.role(of: track(0, pitches: [36, 38, 40, 41, 43, 45, 47, 36])) == .bass)
        #expect(TrackFilter.role(of: track(0, pitches: [60, 64, 67, 62, 65, 69, 64, 67, 71], chord: true)) == .harmony)
        #expect(TrackFilter.role(of: track(0, pitches: [42, 42, 46, 42, 42, 46, 42, 42])) == .rhythm)
        #expect(TrackFilter.role(of: track(0, pitches: [36, 38, 42], channel: 9)) == .drums)
    }

    @Test func droppingRolesKeepsTheRest() {
        let notes = track(0, pitches: [60, 62, 64, 65, 67, 69, 71, 72]) + track(1, pitches: [36, 38, 40, 41, 43, 45, 47, 36])
        let performance = Performance(notes: notes, durationBeats: 8, durationSeconds: 4)
        #expect(TrackFilter(dropping: [.bass]).apply(to: performance).notes.allSatisfy { $0.track == 0 })
        #expect(TrackFilter.default.apply(to: performance).notes.count == 16)
    }
}
