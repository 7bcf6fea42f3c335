import Testing
import ContinuoMIDI

@Suite struct PitchNamesTests {
    @Test func scientificPitchNotationWithMiddleCAsC4() {
        #expect(PitchNames.noteName(60) == "C4")
        #expect(PitchNames.noteName(48) == "C3")
        #expect(PitchNames.noteName(61) == "C#4")
        #expect(PitchNames.noteName(0) == "C-1")
        #expect(PitchNames.noteName(127) == "G9")
        #expect(PitchNames.noteName(-1) == "B-2")
    }

    @Test func pitchClassesWrapAround() {
        #expect(PitchNames.pitchClasses.count == 12)
        #expect(PitchNames.pitchClass(70) == "A#")
        #expect(PitchNames.pitchClass(-3) == "A")
    }
}
