import ContinuoMIDI

/// Encodes notes as tokens and back. `decode(encode(x)) == quantize(x)` for every x.
///
/// At each grid step note-offs come before note-ons (so a key can be struck again on the
/// step it is released), each group ordered by pitch; a velocity token comes before a note-on
/// only when the bin changes. Notes of a chord have no time shift between them. Gaps longer
/// than 4 beats are written as repeated shifts.
public enum EventCodec {
    /// Tokens of one piece: `START`, an optional `STYLE`, the events, `END`.
    public static func encode(_ notes: [Note], style: Int? = nil) -> [UInt16] {
        encode(quantized: quantize(notes), style: style)
    }

    public static func encode(quantized notes: [QuantizedNote], style: Int? = nil) -> [UInt16] {
        struct Boundary {
            var step: Int
            var isOnset: Bool
            var pitch: UInt8
            var velocity: UInt8
        }
        var boundaries: [Boundary] = []
        boundaries.reserveCapacity(notes.count * 2)
        for note in notes {
            boundaries.append(Boundary(step: note.offsetStep, isOnset: false, pitch: note.pitch, velocity: 0))
            boundaries.append(Boundary(step: note.onsetStep, isOnset: true, pitch: note.pitch, velocity: note.velocity))
        }
        boundaries.sort { a, b in
            if a.step != b.step { return a.step < b.step }
            if a.isOnset != b.isOnset { return !a.isOnset }
            return a.pitch < b.pitch
        }
        var tokens: [UInt16] = []
        tokens.reserveCapacity(notes.count * 3 + 3)
        tokens.append(UInt16(Vocabulary.start))
        if let style { tokens.append(UInt16(Event.style(style).token)) }
        var step = 0
        var velocityBin = -1
        for boundary in boundaries {
            var gap = boundary.step - step
            while gap > 0 {
                let shift = min(gap, Vocabulary.maxShiftSteps)
                tokens.append(UInt16(Event.timeShift(steps: shift).token))
                gap -= shift
            }
            step = max(step, boundary.step)
            if boundary.isOnset {
                let bin = Vocabulary.velocityBin(boundary.velocity)
                if bin != velocityBin {
                    tokens.append(UInt16(Event.velocity(bin: bin).token))
                    velocityBin = bin
                }
                tokens.append(UInt16(Event.noteOn(pitch: boundary.pitch).token))
            } else {
                tokens.append(UInt16(Event.noteOff(pitch: boundary.pitch).token))
            }
        }
        tokens.append(UInt16(Vocabulary.end))
        return tokens
    }

    /// Notes from tokens, sorted by onset then pitch. Tolerates any token sequence (a model's
    /// output): a note-off for a silent key is ignored, a second note-on of a sounding key ends
    /// the first (or is dropped on the same step), notes open at the end close there, at least
    /// one step long. Decoding stops at `END`.
    public static func decode<S: Sequence>(_ tokens: S) -> [QuantizedNote] where S.Element: BinaryInteger {
        var decoder = StreamingDecoder()
        for token in tokens {
            if decoder.consume(Int(token)) == .end { break }
        }
        return decoder.finish()
    }
}

/// Decodes tokens one at a time; what the real-time engine uses to turn a model's output
/// into notes as they come.
public struct StreamingDecoder: Sendable {
    public private(set) var step = 0
    public private(set) var velocityBin = Vocabulary.velocityBin(64)
    private var openOnset = [Int](repeating: -1, count: 128)
    private var openVelocity = [UInt8](repeating: 0, count: 128)
    private var notes: [QuantizedNote] = []

    public init() {}

    public enum Outcome: Equatable { case consumed, end, ignored }

    @discardableResult
    public mutating func consume(_ token: Int) -> Outcome {
        guard let event = Event(token: token) else { return .ignored }
        switch event {
        case .end:
            return .end
        case .pad, .start, .style:
            return .consumed
        case let .timeShift(n):
            step += n
        case let .velocity(bin):
            velocityBin = bin
        case let .noteOn(pitch):
            let p = Int(pitch)
            if openOnset[p] >= 0 {
                if openOnset[p] == step { return .ignored }
                close(p)
            }
            openOnset[p] = step
            openVelocity[p] = Vocabulary.velocity(ofBin: velocityBin)
        case let .noteOff(pitch):
            guard openOnset[Int(pitch)] >= 0 else { return .ignored }
            close(Int(pitch))
        }
        return .consumed
    }

    private mutating func close(_ pitch: Int) {
        let onset = openOnset[pitch]
        notes.append(QuantizedNote(pitch: UInt8(pitch), velocity: openVelocity[pitch],
                                   onsetStep: onset, offsetStep: max(step, onset + 1)))
        openOnset[pitch] = -1
    }

    /// Closes what still sounds and returns every note, sorted by onset then pitch.
    public mutating func finish() -> [QuantizedNote] {
        for pitch in 0..<128 where openOnset[pitch] >= 0 { close(pitch) }
        notes.sort { $0.onsetStep != $1.onsetStep ? $0.onsetStep < $1.onsetStep : $0.pitch < $1.pitch }
        return notes
    }
}
