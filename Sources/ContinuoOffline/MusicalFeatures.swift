import ContinuoEncoding
import Foundation

/// Per-piece features in the manner of Yang & Lerch (2018, "On the evaluation of generative
/// models in music"), computed on the encoding grid, plus two repetition measures.
public struct MusicalFeatures: Sendable, Codable {
    public var pitchCount: Double
    public var pitchClassHistogram: [Double]          // 12, sums to 1
    public var pitchClassTransitions: [Double]        // 12 x 12 row-major, sums to 1
    public var pitchRange: Double
    public var averagePitchInterval: Double
    public var averageInterOnsetInterval: Double      // beats
    public var noteLengthHistogram: [Double]          // NoteLengthBins, sums to 1
    public var polyphony: Double                      // notes sounding at an onset, on average
    public var loopRate: Double                       // fraction of bars that repeat an earlier bar exactly
    public var uniqueNGramRatio: Double               // distinct 4-grams of pitches / all 4-grams

    /// Upper bounds, in beats, of the note-length bins: 32nd-ish, 16th, 8th, quarter, half, whole, longer.
    public static let noteLengthBins: [Double] = [0.125, 0.25, 0.5, 1, 2, 4, .infinity]

    public init?(notes unsorted: [QuantizedNote], beatsPerBar: Int = 4) {
        guard unsorted.count >= 2 else { return nil }
        let notes = unsorted.sorted { ($0.onsetStep, $0.pitch) < ($1.onsetStep, $1.pitch) }
        let pitches = notes.map { Int($0.pitch) }
        pitchCount = Double(Set(pitches).count)
        pitchRange = Double(pitches.max()! - pitches.min()!)

        var histogram = [Double](repeating: 0, count: 12)
        for p in pitches { histogram[p % 12] += 1 }
        pitchClassHistogram = histogram.map { $0 / Double(pitches.count) }

        var transitions = [Double](repeating: 0, count: 144)
        var intervals = 0.0
        for (a, b) in zip(pitches, pitches.dropFirst()) {
            transitions[(a % 12) * 12 + b % 12] += 1
            intervals += Double(abs(b - a))
        }
        pitchClassTransitions = transitions.map { $0 / Double(pitches.count - 1) }
        averagePitchInterval = intervals / Double(pitches.count - 1)

        let onsets = Array(Set(notes.map(\.onsetStep))).sorted()
        let steps = Double(Vocabulary.stepsPerBeat)
        averageInterOnsetInterval = onsets.count > 1 ? Double(onsets.last! - onsets.first!) / Double(onsets.count - 1) / steps : 0

        var lengths = [Double](repeating: 0, count: Self.noteLengthBins.count)
        for note in notes {
            let beats = note.durationBeats
            lengths[Self.noteLengthBins.firstIndex { beats <= $0 } ?? lengths.count - 1] += 1
        }
        noteLengthHistogram = lengths.map { $0 / Double(notes.count) }

        // Sweep over note boundaries (releases before attacks on a step) and read the count of
        // sounding notes at every onset.
        let boundaries = (notes.map { ($0.onsetStep, 1) } + notes.map { ($0.offsetStep, -1) }).sorted { $0 < $1 }
        var sounding = 0, total = 0, b = 0
        for onset in onsets {
            while b < boundaries.count, boundaries[b].0 <= onset { sounding += boundaries[b].1; b += 1 }
            total += sounding
        }
        polyphony = Double(total) / Double(onsets.count)

        // A bar is its notes' (pitch, step within the bar, length) set.
        let barSteps = beatsPerBar * Vocabulary.stepsPerBeat
        var bars: [Int: [Int]] = [:]
        for note in notes {
            let bar = note.onsetStep / barSteps
            bars[bar, default: []].append(Int(note.pitch) << 20 | (note.onsetStep % barSteps) << 10 | min(note.offsetStep - note.onsetStep, 1023))
        }
        var seen = Set<[Int]>(), repeated = 0
        for bar in bars.keys.sorted() {
            let content = bars[bar]!.sorted()
            if seen.contains(content) { repeated += 1 } else { seen.insert(content) }
        }
        loopRate = Double(repeated) / Double(max(bars.count, 1))

        let grams = pitches.count >= 4 ? (0...(pitches.count - 4)).map { Array(pitches[$0..<$0 + 4]) } : []
        uniqueNGramRatio = grams.isEmpty ? 1 : Double(Set(grams).count) / Double(grams.count)
    }

    /// Named features as vectors (scalars have one element), for set comparison.
    public var named: [(name: String, values: [Double])] {
        [("pitch count", [pitchCount]), ("pitch-class histogram", pitchClassHistogram),
         ("pitch-class transition matrix", pitchClassTransitions), ("pitch range", [pitchRange]),
         ("average pitch interval", [averagePitchInterval]), ("inter-onset interval", [averageInterOnsetInterval]),
         ("note-length histogram", noteLengthHistogram), ("polyphony", [polyphony]),
         ("loop rate", [loopRate]), ("unique 4-gram ratio", [uniqueNGramRatio])]
    }
}
