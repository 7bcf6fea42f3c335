/// How the package spells pitches for people: sharps for the black keys, and scientific pitch
/// notation with middle C (MIDI 60) as C4. One table, so a piano roll, an inspection report, a
/// scale and the `ctl` monitor never disagree about what a key is called.
public enum PitchNames {
    /// Pitch class 0 (C) to 11 (B).
    public static let pitchClasses = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]

    /// The pitch class's name; any pitch, even a negative one, is taken modulo 12.
    public static func pitchClass(_ pitch: Int) -> String { pitchClasses[pitchClassIndex(pitch)] }

    /// "C4" for 60, "C#4" for 61, "C-1" for 0.
    public static func noteName(_ pitch: Int) -> String {
        let pitchClass = pitchClassIndex(pitch)
        return pitchClasses[pitchClass] + String((pitch - pitchClass) / 12 - 1)
    }

    private static func pitchClassIndex(_ pitch: Int) -> Int { ((pitch % 12) + 12) % 12 }
}
