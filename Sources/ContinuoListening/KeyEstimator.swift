import Foundation

/// A key: tonic pitch class (C = 0) and mode.
public struct Key: Sendable, Hashable, CustomStringConvertible {
    public var tonic: Int
    public var minor: Bool

    public init(tonic: Int, minor: Bool) {
        self.tonic = ((tonic % 12) + 12) % 12
        self.minor = minor
    }

    /// The key a MIDI key signature names (`sharps` < 0 counts flats).
    public init(sharps: Int, minor: Bool) {
        let major = ((sharps * 7) % 12 + 12) % 12
        self.init(tonic: minor ? major + 9 : major, minor: minor)
    }

    static let names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
    public var description: String { Self.names[tonic] + (minor ? " minor" : " major") }

    /// The key `description` spells ("Eb major").
    public init?(name: String) {
        let parts = name.split(separator: " ")
        guard parts.count == 2, let tonic = Self.names.firstIndex(of: String(parts[0])), parts[1] == "major" || parts[1] == "minor" else { return nil }
        self.init(tonic: tonic, minor: parts[1] == "minor")
    }

    /// The relative major's tonic: keys with one signature share it.
    public var signatureTonic: Int { minor ? (tonic + 3) % 12 : tonic }

    /// Whether pitch class `pc` is in the key's scale (natural minor plus the raised 7th).
    public func contains(pitchClass pc: Int) -> Bool {
        let degree = ((pc - tonic) % 12 + 12) % 12
        // Degrees 0 2 4 5 7 9 11, and 0 2 3 5 7 8 10 11.
        let mask = minor ? 0xDAD : 0xAB5
        return mask & (1 << degree) != 0
    }

    public func transposed(by semitones: Int) -> Key { Key(tonic: tonic + semitones, minor: minor) }
}

/// The key of what was just played: a pitch-class histogram, newer and longer notes weighing
/// more, correlated with the Albrecht-Shanahan profiles of the 24 keys. A new key must beat
/// the current one by a margin, so one chromatic passing note does not flip the estimate.
public struct KeyEstimator: Sendable {
    /// Albrecht & Shanahan (2013): pitch-class distributions of a corpus of common-practice
    /// pieces, from the tonic.
    static let majorProfile = [0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081]
    static let minorProfile = [0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052]
    /// Each new note multiplies the old weights by this: a memory of roughly 100 notes.
    static let decay = 0.995

    private var histogram = [Double](repeating: 0, count: 12)
    public private(set) var key: Key? = nil
    /// 0...1: the best key's correlation with the histogram.
    public private(set) var confidence = 0.0
    private var notes = 0

    public init() {}

    public mutating func reset() {
        histogram = [Double](repeating: 0, count: 12)
        key = nil
        confidence = 0
        notes = 0
    }

    /// A note of pitch class `pitch % 12` with `weight` (its length in beats, or 1 at its onset);
    /// returns true when the estimated key changed.
    @discardableResult
    public mutating func add(pitch: Int, weight: Double) -> Bool {
        for i in 0..<12 { histogram[i] *= Self.decay }
        notes += 1
        return lengthen(pitch: pitch, weight: weight)
    }

    /// More weight for a note already added (its length, once it ends); true when the key changed.
    @discardableResult
    public mutating func lengthen(pitch: Int, weight: Double) -> Bool {
        histogram[((pitch % 12) + 12) % 12] += max(0, min(weight, 4))
        guard notes >= 6 else { return false }
        var bestKey = Key(tonic: 0, minor: false), bestScore = -2.0, currentScore = -2.0
        for minor in [false, true] {
            for tonic in 0..<12 {
                let r = correlation(tonic: tonic, minor: minor)
                if r > bestScore { bestScore = r; bestKey = Key(tonic: tonic, minor: minor) }
                if let key, key.tonic == tonic, key.minor == minor { currentScore = r }
            }
        }
        if let key, key != bestKey, bestScore - currentScore < 0.05 {
            confidence = max(0, currentScore)
            return false
        }
        let changed = key != bestKey
        key = bestKey
        confidence = max(0, bestScore)
        return changed
    }

    private func correlation(tonic: Int, minor: Bool) -> Double {
        let profile = minor ? Self.minorProfile : Self.majorProfile
        let meanH = histogram.reduce(0, +) / 12
        let meanP = profile.reduce(0, +) / 12
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for pc in 0..<12 {
            let x = histogram[pc] - meanH
            let y = profile[((pc - tonic) % 12 + 12) % 12] - meanP
            sxy += x * y; sxx += x * x; syy += y * y
        }
        guard sxx > 0, syy > 0 else { return 0 }
        return sxy / (sxx * syy).squareRoot()
    }
}
