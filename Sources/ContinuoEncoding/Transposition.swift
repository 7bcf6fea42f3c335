/// Transposition as augmentation, done on tokens directly (no re-encoding needed).
public enum Transposition {
    /// The semitone shifts that keep every note of `tokens` inside 0...127.
    public static func allowedShifts<C: Collection>(_ tokens: C) -> ClosedRange<Int> where C.Element == UInt16 {
        var low = 127, high = 0
        for token in tokens {
            switch Event(token: Int(token)) {
            case let .noteOn(p)?, let .noteOff(p)?:
                low = min(low, Int(p)); high = max(high, Int(p))
            default: continue
            }
        }
        if low > high { return -127...127 }
        return (-low)...(127 - high)
    }

    /// `tokens` with every pitch moved by `semitones`; nil when a pitch would leave 0...127.
    public static func transpose(_ tokens: [UInt16], by semitones: Int) -> [UInt16]? {
        guard allowedShifts(tokens).contains(semitones) else { return nil }
        var out = tokens
        transposeInPlace(&out, by: semitones)
        return out
    }

    /// In place, for a buffer whose shift is already known to be allowed.
    public static func transposeInPlace(_ tokens: inout [UInt16], by semitones: Int) {
        guard semitones != 0 else { return }
        for i in tokens.indices {
            switch Event(token: Int(tokens[i])) {
            case let .noteOn(p)?: tokens[i] = UInt16(Event.noteOn(pitch: UInt8(Int(p) + semitones)).token)
            case let .noteOff(p)?: tokens[i] = UInt16(Event.noteOff(pitch: UInt8(Int(p) + semitones)).token)
            default: continue
            }
        }
    }
}
