/// A chord heard in what the performer holds: root, quality and the bass under it.
public struct Chord: Sendable, Hashable, CustomStringConvertible {
    public enum Quality: String, Sendable, CaseIterable {
        case major = "", minor = "m", dominant7 = "7", major7 = "maj7", minor7 = "m7", diminished = "dim", suspended4 = "sus4"

        /// Intervals above the root.
        var intervals: [Int] {
            switch self {
            case .major: [0, 4, 7]
            case .minor: [0, 3, 7]
            case .dominant7: [0, 4, 7, 10]
            case .major7: [0, 4, 7, 11]
            case .minor7: [0, 3, 7, 10]
            case .diminished: [0, 3, 6]
            case .suspended4: [0, 5, 7]
            }
        }
    }

    public var root: Int
    public var quality: Quality
    /// The lowest sounding pitch (a MIDI note).
    public var bass: Int

    static let names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]

    /// "Am7/C": root, quality, and the bass when it is not the root.
    public var description: String {
        let base = Self.names[root] + quality.rawValue
        return bass % 12 == root ? base : base + "/" + Self.names[bass % 12]
    }

    /// Pitch classes of the chord, as a 12-bit mask.
    public var pitchClassMask: Int {
        quality.intervals.reduce(0) { $0 | 1 << ((root + $1) % 12) }
    }

    public func contains(pitchClass pc: Int) -> Bool { pitchClassMask & (1 << (((pc % 12) + 12) % 12)) != 0 }

    /// The chord that best explains `pitches` (MIDI notes sounding together): each template is
    /// scored by the notes it explains, less the notes it leaves out and the tones it misses; a
    /// root in the bass breaks ties, simpler chords win over sevenths on equal evidence. Nil
    /// under two distinct pitch classes: one note is a melody, not a harmony.
    public static func detect(_ pitches: [Int]) -> Chord? {
        guard let bass = pitches.min() else { return nil }
        var mask = 0
        for p in pitches { mask |= 1 << (p % 12) }
        guard mask.nonzeroBitCount >= 2 else { return nil }
        var best: Chord? = nil, bestScore = -Double.infinity
        for root in 0..<12 {
            for quality in Quality.allCases {
                let template = Chord(root: root, quality: quality, bass: bass).pitchClassMask
                let explained = (mask & template).nonzeroBitCount
                let extra = (mask & ~template).nonzeroBitCount
                let missing = (template & ~mask).nonzeroBitCount
                var score = Double(explained) - Double(extra) - 0.6 * Double(missing)
                if root == bass % 12 { score += 0.5 }
                if quality.intervals.count > 3 { score -= 0.1 }
                // The root itself must sound: two notes a third apart are not a chord on a third root.
                if mask & (1 << root) == 0 { score -= 0.8 }
                if score > bestScore { bestScore = score; best = Chord(root: root, quality: quality, bass: bass) }
            }
        }
        return best
    }
}
