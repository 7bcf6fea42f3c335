import ContinuoMIDI

/// A note on the encoding grid: onset and offset in steps of 1/12 beat, velocity as its bin
/// decodes. This is all of a performance the event encoding keeps.
public struct QuantizedNote: Sendable, Hashable, CustomStringConvertible {
    public var pitch: UInt8
    public var velocity: UInt8
    public var onsetStep: Int
    public var offsetStep: Int

    public init(pitch: UInt8, velocity: UInt8, onsetStep: Int, offsetStep: Int) {
        self.pitch = pitch
        self.velocity = velocity
        self.onsetStep = onsetStep
        self.offsetStep = offsetStep
    }

    public var onsetBeats: Double { Double(onsetStep) / Double(Vocabulary.stepsPerBeat) }
    public var durationBeats: Double { Double(offsetStep - onsetStep) / Double(Vocabulary.stepsPerBeat) }

    public var description: String { "\(pitch)@\(onsetStep)-\(offsetStep) v\(velocity)" }
}

/// Puts notes on the grid: onsets and offsets to the nearest step, at least one step long,
/// velocities to their bin's value; a same-pitch note that starts while another sounds cuts
/// it there, and two starting on the same step become one (the longer, the louder). The
/// result is sorted by onset, then pitch.
public func quantize(_ notes: [Note]) -> [QuantizedNote] {
    let steps = Double(Vocabulary.stepsPerBeat)
    var grid = notes.map { note -> QuantizedNote in
        let on = Int((note.onsetBeats * steps).rounded())
        let off = max(on + 1, Int((note.offsetBeats * steps).rounded()))
        return QuantizedNote(pitch: note.pitch, velocity: Vocabulary.velocity(ofBin: Vocabulary.velocityBin(note.velocity)),
                             onsetStep: on, offsetStep: off)
    }
    grid.sort { $0.onsetStep != $1.onsetStep ? $0.onsetStep < $1.onsetStep : $0.pitch < $1.pitch }
    var result: [QuantizedNote] = []
    result.reserveCapacity(grid.count)
    var lastIndexOfPitch = [Int](repeating: -1, count: 128)
    for note in grid {
        let previous = lastIndexOfPitch[Int(note.pitch)]
        if previous >= 0 {
            if result[previous].onsetStep == note.onsetStep {
                result[previous].offsetStep = max(result[previous].offsetStep, note.offsetStep)
                result[previous].velocity = max(result[previous].velocity, note.velocity)
                continue
            }
            if result[previous].offsetStep > note.onsetStep {
                result[previous].offsetStep = note.onsetStep
            }
        }
        lastIndexOfPitch[Int(note.pitch)] = result.count
        result.append(note)
    }
    return result
}
