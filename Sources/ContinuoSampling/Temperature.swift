extension CandidateList {
    /// Below 1 sharpens, above 1 flattens; `t <= 0` is the limit, greedy decoding.
    mutating func applyTemperature(_ t: Float) {
        guard !t.isNaN, t != 1 else { return }
        guard t > 0 else {
            keepArgmax()
            return
        }
        // Division, not multiplication by 1/t: for a tiny t the reciprocal overflows and 0 * inf
        // is NaN, while 0 / t stays 0.
        withLive { entries in
            for i in 0..<entries.count { entries[i].logit /= t }
        }
        // Overflow to inf can merge distinct logits into ties, which the tie rule orders afresh.
        logitsChanged()
    }
}
