/// How much of one melody quotes another: the share of its 4-note interval patterns (three
/// successive intervals, so a transposed quote counts) that occur in the other. The figure the
/// performer model is judged by.
public enum MotifReuse {
    /// Three successive intervals of every four successive pitches.
    public static func patterns(_ pitches: [Int]) -> [[Int]] {
        guard pitches.count >= 4 else { return [] }
        return (0...(pitches.count - 4)).map { i in (0..<3).map { pitches[i + $0 + 1] - pitches[i + $0] } }
    }

    /// Share of `answer`'s patterns found in `source` (nil when the answer has none).
    public static func share(of answer: [Int], in source: [Int]) -> Double? {
        let candidates = patterns(answer)
        guard !candidates.isEmpty else { return nil }
        let known = Set(patterns(source))
        return Double(candidates.filter(known.contains).count) / Double(candidates.count)
    }
}
