import ContinuoEncoding

// Musical constraints as masks: they remove candidates and never reweight the rest, so what
// remains keeps the model's relative preferences.

@inline(__always) func noteOnPitch(_ token: Int) -> Int? {
    token >= Vocabulary.noteOnBase && token < Vocabulary.noteOffBase ? token - Vocabulary.noteOnBase : nil
}

@inline(__always) func noteOffPitch(_ token: Int) -> Int? {
    token >= Vocabulary.noteOffBase && token < Vocabulary.shiftBase ? token - Vocabulary.noteOffBase : nil
}

@inline(__always) func shiftSteps(_ token: Int) -> Int? {
    token >= Vocabulary.shiftBase && token < Vocabulary.velocityBase ? token - Vocabulary.shiftBase + 1 : nil
}

extension CandidateList {
    mutating func maskHygiene(_ state: MusicalState) {
        retain { token in
            switch token {
            case Vocabulary.end: return true
            case Vocabulary.noteOnBase..<Vocabulary.noteOffBase: return !state.isSounding(token - Vocabulary.noteOnBase)
            // A note lasts at least one step: the decoder would stretch an OFF on the ON's own
            // step to one step anyway, and then the note would overlap what the masks allowed.
            case Vocabulary.noteOffBase..<Vocabulary.shiftBase:
                let pitch = token - Vocabulary.noteOffBase
                return (state.heldSteps(of: pitch) ?? 0) > 0
            case Vocabulary.shiftBase..<Vocabulary.size: return true
            default: return false
            }
        }
    }

    mutating func banEnd() {
        retain { $0 != Vocabulary.end }
    }

    mutating func maskPitchRange(low: Int, high: Int) {
        guard low > 0 || high < 127 else { return }
        retain { token in
            guard let pitch = noteOnPitch(token) else { return true }
            return pitch >= low && pitch <= high
        }
    }

    mutating func maskScale(_ scale: Scale) {
        guard scale.kind != .chromatic else { return }
        retain { token in
            guard let pitch = noteOnPitch(token) else { return true }
            return scale.contains(pitch: pitch)
        }
    }

    mutating func maskPolyphony(_ maximum: Int, _ state: MusicalState) {
        guard maximum > 0, state.soundingCount >= maximum else { return }
        retain { noteOnPitch($0) == nil }
    }

    mutating func maskNoteLength(_ limit: Int, _ state: MusicalState) {
        guard limit > 0, state.soundingCount > 0 else { return }
        let remaining = limit - state.longestHeldSteps
        if remaining > 0 {
            // SHIFT(remaining) brings the oldest note exactly to the limit, which is allowed.
            retain { token in
                guard let steps = shiftSteps(token) else { return true }
                return steps <= remaining
            }
        } else if !retain(where: { token in
            guard let pitch = noteOffPitch(token), let held = state.heldSteps(of: pitch) else { return false }
            return held >= limit
        }) {
            // The model gave every overdue OFF -inf: at least stop the clock.
            retain { shiftSteps($0) == nil }
        }
    }
}
