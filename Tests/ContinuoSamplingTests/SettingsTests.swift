import Foundation
import Testing
@testable import ContinuoSampling

@Suite struct SettingsTests {
    @Test func defaultsAreHygieneOnly() {
        #expect(SamplerSettings().stages == [.noteHygiene])
    }

    @Test func stagesComeInTheDocumentedOrder() {
        let settings = SamplerSettings(temperature: 0.8, topK: 30, topP: 0.9, repetitionPenalty: 1.2, repetitionWindow: 16,
                                       noRepeatNGram: 4, noRepeatWindow: 128, pitchRange: 36...96,
                                       scale: Scale(root: 9, kind: .blues), maxPolyphony: 5, maxNoteSteps: 96, allowEnd: false)
        #expect(settings.stages == [
            .noteHygiene, .banEnd, .maxNoteLength(steps: 96), .pitchRange(low: 36, high: 96), .scale(root: 9, kind: .blues),
            .maxPolyphony(5), .noRepeatNGram(n: 4, window: 128), .repetitionPenalty(penalty: 1.2, window: 16),
            .temperature(0.8), .topK(30), .topP(0.9),
        ])
        // Neutral values drop out.
        #expect(SamplerSettings(pitchRange: 0...127, scale: Scale(root: 3, kind: .chromatic)).stages == [.noteHygiene])
    }

    @Test func settingsRoundTripAndPartialFilesDecode() throws {
        let settings = SamplerSettings(temperature: 0.8, topK: 30, pitchRange: 36...96, scale: Scale(parsing: "F# dorian"))
        let decoded = try JSONDecoder().decode(SamplerSettings.self, from: JSONEncoder().encode(settings))
        #expect(decoded == settings)
        let partial = try JSONDecoder().decode(SamplerSettings.self, from: Data(#"{"temperature": 0.5}"#.utf8))
        #expect(partial == SamplerSettings(temperature: 0.5))
    }

    @Test func stagesRoundTrip() throws {
        let stages: [SamplerStage] = [.noteHygiene, .banEnd, .temperature(0.7), .topK(5), .topP(0.9),
                                      .repetitionPenalty(penalty: 1.1, window: 9), .noRepeatNGram(n: 3, window: 64),
                                      .pitchRange(low: 40, high: 80), .scale(root: 2, kind: .harmonicMinor),
                                      .maxPolyphony(3), .maxNoteLength(steps: 48)]
        #expect(try JSONDecoder().decode([SamplerStage].self, from: JSONEncoder().encode(stages)) == stages)
        #expect(stages.allSatisfy { !$0.isNeutral })
    }
}

@Suite struct ScaleTests {
    @Test func parsesCommonSpellings() {
        #expect(Scale(parsing: "D minor") == Scale(root: 2, kind: .naturalMinor))
        #expect(Scale(parsing: "C major") == Scale(root: 0, kind: .major))
        #expect(Scale(parsing: "F# dorian") == Scale(root: 6, kind: .dorian))
        #expect(Scale(parsing: "Bb harmonic minor") == Scale(root: 10, kind: .harmonicMinor))
        #expect(Scale(parsing: "  e♭   mixolydian ") == Scale(root: 3, kind: .mixolydian))
        #expect(Scale(parsing: "a minor-pentatonic") == Scale(root: 9, kind: .pentatonicMinor))
        #expect(Scale(parsing: "Cb pentatonicMajor") == Scale(root: 11, kind: .pentatonicMajor))
        #expect(Scale(parsing: "B# blues") == Scale(root: 0, kind: .blues))
        #expect(Scale(parsing: "G chromatic") == Scale(root: 7, kind: .chromatic))
    }

    @Test func rejectsBadInput() {
        for text in ["", "D", "minor", "H major", "C# foo", "Cx major", "C major minor", "1 major", "C#major"] {
            #expect(Scale(parsing: text) == nil, "\(text)")
        }
    }

    @Test func descriptionParsesBack() {
        for kind in ScaleKind.allCases {
            for root in 0..<12 {
                let scale = Scale(root: root, kind: kind)
                #expect(Scale(parsing: scale.description) == scale)
            }
        }
    }

    @Test func kindsByRawValueAndAlias() {
        #expect(ScaleKind(rawValue: "dorian") == .dorian)
        #expect(ScaleKind(rawValue: "harmonicMinor") == .harmonicMinor)
        #expect(ScaleKind(rawValue: "minor") == nil)
        #expect(ScaleKind(parsing: "minor") == .naturalMinor)
        #expect(ScaleKind(parsing: "Natural_Minor") == .naturalMinor)
    }

    @Test func intervals() {
        #expect(ScaleKind.major.intervals == [0, 2, 4, 5, 7, 9, 11])
        #expect(ScaleKind.naturalMinor.intervals == [0, 2, 3, 5, 7, 8, 10])
        #expect(ScaleKind.harmonicMinor.intervals == [0, 2, 3, 5, 7, 8, 11])
        #expect(ScaleKind.dorian.intervals == [0, 2, 3, 5, 7, 9, 10])
        #expect(ScaleKind.mixolydian.intervals == [0, 2, 4, 5, 7, 9, 10])
        #expect(ScaleKind.pentatonicMajor.intervals == [0, 2, 4, 7, 9])
        #expect(ScaleKind.pentatonicMinor.intervals == [0, 3, 5, 7, 10])
        #expect(ScaleKind.blues.intervals == [0, 3, 5, 6, 7, 10])
        #expect(ScaleKind.chromatic.intervals == Array(0..<12))
        #expect(Scale(root: -10, kind: .major) == Scale(root: 2, kind: .major))
        #expect(Scale(root: 62, kind: .major).contains(pitch: 66))
        #expect(!Scale(root: 62, kind: .major).contains(pitch: 65))
    }
}
