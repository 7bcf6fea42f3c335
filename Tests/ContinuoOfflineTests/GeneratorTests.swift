import ContinuoEncoding
import ContinuoMIDI
import ContinuoModel
import ContinuoSampling
import Foundation
import Testing
@testable import ContinuoOffline

@Suite struct GeneratorTests {
    /// An untrained model plays noise, which is the hardest test of note hygiene.
    static func randomModel() throws -> LSTMInference {
        let model = try LSTMModel(configuration: LSTMConfiguration(vocabularySize: Vocabulary.size, embeddingSize: 16, hiddenSize: 32, layerCount: 2), seed: 9)
        return LSTMInference(model: model, precision: .int8, maxBatch: 4)
    }

    func primer() throws -> Primer {
        try PrimerPicker.fromFile(PrepareJobTests.sample + "/bach-chorales/bwv10.7.mid", fromBeats: 4, toBeats: 12)
    }

    @Test func generatedFilesParseAndCloseEveryNote() throws {
        let generator = Generator(inference: try Self.randomModel())
        var options = Generator.Options()
        options.variations = 3
        options.length = .events(400)
        let primer = try primer()
        let results = try generator.generate(primerTokens: Generator.primerTokens(primer, style: nil), options: options)
        #expect(results.count == 3)
        for variation in results {
            #expect(variation.tokens.count <= 400)
            let file = NotesToMIDI.file(parts: [.init(name: "primer", notes: variation.primerNotes), .init(name: "continuo", notes: variation.generatedNotes)],
                                        bpm: 100, title: "test", markerStep: primer.lengthSteps)
            let reread = try MIDIFileReader.read(MIDIFileWriter.write(file), strict: true).file
            for track in reread.tracks {
                var open = [Int](repeating: 0, count: 128 * 16)
                for event in track.events {
                    switch event.message {
                    case let .noteOn(c, p, v) where v > 0: open[Int(c) * 128 + Int(p)] += 1
                    case let .noteOff(c, p, _), let .noteOn(c, p, _): open[Int(c) * 128 + Int(p)] -= 1
                    default: break
                    }
                    #expect(open.allSatisfy { $0 == 0 || $0 == 1 }, "no key is struck twice without a release")
                }
                #expect(open.allSatisfy { $0 == 0 }, "every note-on has its note-off")
            }
            let notes = NoteExtractor().performance(of: reread).notes
            #expect(notes.count == variation.primerNotes.count + variation.generatedNotes.count)
            #expect(notes.allSatisfy { $0.durationBeats > 0 })
        }
    }

    @Test func batchedVariationsEqualOneAtATime() throws {
        let generator = Generator(inference: try Self.randomModel())
        var options = Generator.Options()
        options.variations = 4
        options.length = .events(120)
        options.seed = 42
        let tokens = Generator.primerTokens(try primer(), style: nil)
        let batched = try generator.generate(primerTokens: tokens, options: options)
        options.batched = false
        let sequential = try generator.generate(primerTokens: tokens, options: options)
        #expect(batched.map(\.tokens) == sequential.map(\.tokens))
        #expect(Set(batched.map(\.tokens)).count == 4, "each variation has its own seed")
    }

    @Test func samplerConstraintsHoldInTheOutput() throws {
        let generator = Generator(inference: try Self.randomModel())
        var options = Generator.Options()
        options.variations = 2
        options.length = .beats(24)
        options.sampler.scale = Scale(parsing: "D dorian")
        options.sampler.pitchRange = 48...84
        options.sampler.maxPolyphony = 3
        options.sampler.maxNoteSteps = 24
        options.sampler.allowEnd = false
        let results = try generator.generate(primerTokens: [Vocabulary.start], options: options)
        let dorian: Set<Int> = [2, 4, 5, 7, 9, 11, 0]
        for variation in results {
            #expect(!variation.generatedNotes.isEmpty)
            for note in variation.generatedNotes {
                #expect(dorian.contains(Int(note.pitch) % 12))
                #expect((48...84).contains(Int(note.pitch)))
                #expect(note.offsetStep - note.onsetStep <= 24)
            }
            for note in variation.generatedNotes {
                let sounding = variation.generatedNotes.filter { $0.onsetStep <= note.onsetStep && $0.offsetStep > note.onsetStep }
                #expect(sounding.count <= 3)
            }
        }
    }

    @Test func corpusPrimerAvoidsBadSeeds() throws {
        let primer = try PrimerPicker.fromCorpus(PrepareJobTests.sample + "/piano-midi", beats: 8, minimumNotes: 12, seed: 5)
        #expect(primer.notes.count >= 12)
        #expect(primer.lengthSteps == 8 * Vocabulary.stepsPerBeat)
        #expect(primer.notes.allSatisfy { $0.onsetStep >= 0 && $0.onsetStep < primer.lengthSteps })
        #expect(throws: PrimerError.self) {
            try PrimerPicker.fromCorpus(PrepareJobTests.sample + "/odd", beats: 8, minimumNotes: 200, seed: 5)
        }
    }
}
