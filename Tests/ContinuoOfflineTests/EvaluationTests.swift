import ContinuoEncoding
import ContinuoMIDI
import Foundation
import Testing
@testable import ContinuoOffline

@Suite struct EvaluationTests {
    func features(_ folder: String) throws -> [MusicalFeatures] {
        try CorpusScanner.scan([PrepareJobTests.sample + "/" + folder]).compactMap { file in
            MusicalFeatures(notes: quantize(NoteExtractor().performance(of: try MIDIFileLoader.read(file.path).file).notes))
        }
    }

    @Test func aFolderAgainstItselfOverlapsFully() throws {
        let folk = try features("folk-oneills-1850")
        let comparison = SetComparison(reference: folk, generated: folk)
        #expect(comparison.features.count == 10)
        #expect(comparison.meanOverlap > 0.9)
        #expect(comparison.features.allSatisfy { $0.klDivergence < 0.2 })
    }

    @Test func veryDifferentFoldersOverlapClearlyLess() throws {
        let same = SetComparison(reference: try features("folk-oneills-1850"), generated: try features("folk-oneills-1850"))
        let different = SetComparison(reference: try features("folk-oneills-1850"), generated: try features("piano-midi"))
        #expect(different.meanOverlap < same.meanOverlap - 0.25)
        let polyphony = try #require(different.features.first { $0.name == "polyphony" })
        #expect(polyphony.referenceMean[0] < polyphony.generatedMean[0]) // folk tunes are one line
    }

    @Test func featuresOfAKnownPhrase() throws {
        // C E G C' as quarter notes, then the same bar again.
        let bar = [60, 64, 67, 72].enumerated().map { QuantizedNote(pitch: UInt8($1), velocity: 80, onsetStep: $0 * 12, offsetStep: $0 * 12 + 12) }
        let notes = bar + bar.map { QuantizedNote(pitch: $0.pitch, velocity: 80, onsetStep: $0.onsetStep + 48, offsetStep: $0.offsetStep + 48) }
        let f = try #require(MusicalFeatures(notes: notes))
        #expect(f.pitchCount == 4)
        #expect(f.pitchRange == 12)
        #expect(f.averageInterOnsetInterval == 1)
        #expect(f.polyphony == 1)
        #expect(f.loopRate == 0.5)
        #expect(f.pitchClassHistogram[0] == 0.5)
        #expect(f.noteLengthHistogram[3] == 1)
    }
}
