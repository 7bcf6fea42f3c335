import ContinuoEncoding

// Against the classic LSTM failure: cycling on a few notes, or on one phrase.

extension CandidateList {
    /// llama.cpp's rule: dividing a positive logit and multiplying a negative one both make the
    /// token less likely whatever the sign, which plain division would not.
    mutating func penalizeRepetition(penalty: Float, window: Int, _ state: MusicalState) {
        guard penalty > 0, penalty != 1, window > 0 else { return }
        let lookBack = min(window, state.recentNoteOnCount)
        guard lookBack > 0 else { return }
        clearMarks()
        for back in 0..<lookBack { mark(Vocabulary.noteOnBase + state.recentNoteOn(back: back)) }
        let marked = markSnapshot
        withLive { entries in
            for i in 0..<entries.count where marked.contains(Int(entries[i].token)) {
                let logit = entries[i].logit
                entries[i].logit = logit > 0 ? logit / penalty : logit * penalty
            }
        }
        logitsChanged()
    }

    /// Bans each token `t` for which (last n-1 tokens, t) already occurs in the window.
    mutating func banRepeatedNGrams(n: Int, window: Int, _ state: MusicalState) {
        guard n > 0, window > 0 else { return }
        let length = min(window, state.recentTokenCount)
        guard length >= n else { return }
        clearMarks()
        var any = false
        // The history oldest first is h[j] = recentToken(back: length - 1 - j). An n-gram
        // starting at j matches when h[j + i] == h[length - n + 1 + i] for i in 0..<n-1.
        for start in 0...(length - n) {
            var matches = true
            var i = 0
            while i < n - 1 {
                if state.recentToken(back: length - 1 - (start + i)) != state.recentToken(back: n - 2 - i) {
                    matches = false
                    break
                }
                i += 1
            }
            if matches {
                mark(state.recentToken(back: length - 1 - (start + n - 1)))
                any = true
            }
        }
        guard any else { return }
        let marked = markSnapshot
        retain { !marked.contains($0) }
    }
}
