import ContinuoMIDI
import ContinuoTestSupport
import Foundation
import Testing
@testable import ContinuoEncoding

@Suite struct EventCodecTests {
    @Test func vocabularyIsWhatTheDocsSay() {
        #expect(Vocabulary.size == 355)
        for token in 0..<Vocabulary.size {
            let event = Event(token: token)
            #expect(event != nil)
            #expect(event?.token == token)
        }
        #expect(Event(token: Vocabulary.size) == nil)
        #expect(Event(token: -1) == nil)
    }

    @Test func velocityBinsDecodeInsideThemselves() {
        for velocity in UInt8(1)...127 {
            let bin = Vocabulary.velocityBin(velocity)
            #expect(Vocabulary.velocityBin(Vocabulary.velocity(ofBin: bin)) == bin)
            #expect(abs(Int(Vocabulary.velocity(ofBin: bin)) - Int(velocity)) <= 3)
        }
    }

    /// The worked example of docs/encoding.md, token for token.
    @Test func workedExampleFromTheDocs() {
        // A C major chord for one beat at velocity 80, then E5 for half a beat (velocity 100)
        // after a rest of 5 beats, in the style of slot 2.
        let notes = [Fixtures.note(60, 0, 1), Fixtures.note(64, 0, 1), Fixtures.note(67, 0, 1),
                     Fixtures.note(76, 6, 0.5, velocity: 100)]
        let events = EventCodec.encode(notes, style: 2).map { Event(token: Int($0))!.description }
        #expect(events == ["START", "STYLE(2)", "VEL(19)", "ON(60)", "ON(64)", "ON(67)", "SHIFT(12)",
                           "OFF(60)", "OFF(64)", "OFF(67)", "SHIFT(48)", "SHIFT(12)", "VEL(24)", "ON(76)",
                           "SHIFT(6)", "OFF(76)", "END"])
        #expect(EventCodec.encode(notes, style: 2) == [1, 5, 342, 79, 83, 86, 286, 207, 211, 214, 322, 286, 347, 95, 280, 223, 2])
    }

    @Test func chordNotesHaveNoShiftBetweenThem() {
        let tokens = EventCodec.encode([Fixtures.note(48, 1, 2), Fixtures.note(52, 1, 2), Fixtures.note(55, 1, 2)])
        let events = tokens.compactMap { Event(token: Int($0)) }
        let ons = events.indices.filter { if case .noteOn = events[$0] { true } else { false } }
        #expect(ons.count == 3)
        #expect(ons.last! - ons.first! == 2)
    }

    @Test func quantisationSnapsToTwelfthsOfABeat() {
        let q = quantize([Fixtures.note(60, 0.26, 0.01), Fixtures.note(62, 1.0 / 3.0, 2.0 / 3.0)])
        #expect(q == [QuantizedNote(pitch: 60, velocity: 79, onsetStep: 3, offsetStep: 4),
                      QuantizedNote(pitch: 62, velocity: 79, onsetStep: 4, offsetStep: 12)])
    }

    @Test func overlapsOfOnePitchAreResolved() {
        let q = quantize([Fixtures.note(60, 0, 2), Fixtures.note(60, 1, 2), Fixtures.note(60, 1, 0.5, velocity: 120)])
        #expect(q.map { [$0.onsetStep, $0.offsetStep] } == [[0, 12], [12, 36]])
        #expect(q[1].velocity == Vocabulary.velocity(ofBin: Vocabulary.velocityBin(120)))
    }

    @Test func decoderToleratesAnyTokens() {
        var state: UInt64 = 7
        for _ in 0..<200 {
            let tokens = (0..<300).map { _ -> Int in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Int(state >> 33) % (Vocabulary.size + 5) - 2
            }
            let notes = EventCodec.decode(tokens)
            for note in notes { #expect(note.offsetStep > note.onsetStep) }
        }
    }

    /// decode(encode(x)) == quantize(x) for every file of the corpus.
    @Test func roundTripOverTheWholeCorpus() throws {
        let files = Fixtures.midiFiles(under: Fixtures.corpus)
        #expect(files.count >= 40)
        var notes = 0
        for url in files {
            let performance = try Fixtures.performance(url)
            let tokens = EventCodec.encode(performance.notes)
            let decoded = EventCodec.decode(tokens)
            #expect(decoded == quantize(performance.notes), "\(url.lastPathComponent)")
            notes += decoded.count
        }
        #expect(notes > 0)
    }
}
