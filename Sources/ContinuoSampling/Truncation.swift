extension CandidateList {
    /// Ties at the k-th place go to the lowest token, so exactly `k` remain.
    mutating func keepTopK(_ k: Int) {
        guard k > 0, k < count else { return }
        sort()
        truncate(to: k)
    }

    /// Nucleus sampling: the smallest most-likely-first prefix whose mass reaches `p`.
    mutating func keepTopP(_ p: Float) {
        guard p < 1, count > 1 else { return }
        sort()
        // Compare against p times the unnormalised sum rather than normalising every weight.
        let threshold = max(p, 0) * computeWeights()
        let kept = withLive { entries -> Int in
            var cumulative: Float = 0
            for i in 0..<entries.count {
                cumulative += entries[i].weight
                if cumulative >= threshold { return i + 1 }
            }
            return entries.count
        }
        truncate(to: kept)
    }
}
