import ContinuoMIDI

/// Scale kinds the key mask knows. The raw value is the CLI spelling; `init(parsing:)` also
/// takes common aliases ("minor", "harmonic minor", "minor pentatonic").
public enum ScaleKind: String, Codable, Sendable, Hashable, CaseIterable {
    case major
    case naturalMinor
    case harmonicMinor
    case melodicMinor
    case dorian
    case phrygian
    case lydian
    case mixolydian
    case locrian
    case pentatonicMajor
    case pentatonicMinor
    case blues
    case wholeTone
    case chromatic

    /// Bit `i` is set when the pitch class `root + i` belongs to the scale. Literal constants,
    /// read for every candidate: nothing to build, even in a debug build.
    public var pitchClassMask: UInt16 {
        switch self {
        case .major: return 0b101010110101  // 0 2 4 5 7 9 11
        case .naturalMinor: return 0b010110101101  // 0 2 3 5 7 8 10
        case .harmonicMinor: return 0b100110101101  // 0 2 3 5 7 8 11
        case .melodicMinor: return 0b101010101101  // 0 2 3 5 7 9 11
        case .dorian: return 0b011010101101  // 0 2 3 5 7 9 10
        case .phrygian: return 0b010110101011  // 0 1 3 5 7 8 10
        case .lydian: return 0b101011010101  // 0 2 4 6 7 9 11
        case .mixolydian: return 0b011010110101  // 0 2 4 5 7 9 10
        case .locrian: return 0b010101101011  // 0 1 3 5 6 8 10
        case .pentatonicMajor: return 0b001010010101  // 0 2 4 7 9
        case .pentatonicMinor: return 0b010010101001  // 0 3 5 7 10
        case .blues: return 0b010011101001  // 0 3 5 6 7 10
        case .wholeTone: return 0b010101010101  // 0 2 4 6 8 10
        case .chromatic: return 0b1111_1111_1111
        }
    }

    /// Semitones above the root, ascending.
    public var intervals: [Int] { (0..<12).filter { pitchClassMask & (1 << $0) != 0 } }

    /// A kind from user text: case, spaces, '-' and '_' do not matter; aliases accepted.
    public init?(parsing text: String) {
        let key = String(text.lowercased().filter { $0 != " " && $0 != "-" && $0 != "_" })
        switch key {
        case "major", "ionian": self = .major
        case "minor", "naturalminor", "aeolian": self = .naturalMinor
        case "harmonicminor": self = .harmonicMinor
        case "melodicminor": self = .melodicMinor
        case "dorian": self = .dorian
        case "phrygian": self = .phrygian
        case "lydian": self = .lydian
        case "mixolydian": self = .mixolydian
        case "locrian": self = .locrian
        case "pentatonicmajor", "majorpentatonic", "pentatonic": self = .pentatonicMajor
        case "pentatonicminor", "minorpentatonic": self = .pentatonicMinor
        case "blues": self = .blues
        case "wholetone": self = .wholeTone
        case "chromatic": self = .chromatic
        default: return nil
        }
    }
}

/// A key: a root pitch class (C = 0) and a kind.
public struct Scale: Codable, Sendable, Hashable, CustomStringConvertible {
    /// 0...11, C = 0.
    public var root: Int
    public var kind: ScaleKind

    /// `root` is taken modulo 12, so a MIDI pitch works as well as a pitch class.
    public init(root: Int, kind: ScaleKind) {
        self.root = Scale.pitchClass(root)
        self.kind = kind
    }

    /// Parses "D minor", "C major", "F# dorian", "Bb harmonic minor": a note letter, any number
    /// of accidentals (#, b, ♯, ♭), whitespace, then a kind. Nil on anything else.
    public init?(parsing text: String) {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard words.count >= 2, let root = Scale.parseRoot(words[0]),
              let kind = ScaleKind(parsing: words.dropFirst().joined(separator: " ")) else { return nil }
        self.init(root: root, kind: kind)
    }

    @inline(__always)
    public func contains(pitch: Int) -> Bool {
        kind.pitchClassMask & (1 << UInt16(Scale.pitchClass(pitch - root))) != 0
    }

    /// Sharps for black keys; parses back with `init(parsing:)`.
    public var description: String {
        "\(PitchNames.pitchClass(root)) \(kind.rawValue)"
    }

    @inline(__always)
    static func pitchClass(_ pitch: Int) -> Int {
        let r = pitch % 12
        return r < 0 ? r + 12 : r
    }

    private static func parseRoot(_ word: Substring) -> Int? {
        guard let letter = word.first else { return nil }
        let naturals: [Character: Int] = ["c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11]
        guard let natural = naturals[Character(letter.lowercased())] else { return nil }
        var root = natural
        for accidental in word.dropFirst() {
            switch accidental {
            case "#", "♯": root += 1
            case "b", "♭": root -= 1
            default: return nil
            }
        }
        return pitchClass(root)
    }
}
