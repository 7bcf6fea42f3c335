/// A sounding note as a listener hears it: sustain pedal applied, overlaps resolved.
public struct Note: Sendable, Hashable {
    public var pitch: UInt8
    public var velocity: UInt8
    public var channel: UInt8
    public var program: UInt8
    public var track: Int
    public var onsetTick: Int
    public var offsetTick: Int
    public var onsetBeats: Double
    public var durationBeats: Double
    public var onsetSeconds: Double
    public var durationSeconds: Double

    public init(pitch: UInt8, velocity: UInt8, channel: UInt8 = 0, program: UInt8 = 0, track: Int = 0,
                onsetTick: Int = 0, offsetTick: Int = 0, onsetBeats: Double, durationBeats: Double,
                onsetSeconds: Double = 0, durationSeconds: Double = 0) {
        self.pitch = pitch
        self.velocity = velocity
        self.channel = channel
        self.program = program
        self.track = track
        self.onsetTick = onsetTick
        self.offsetTick = offsetTick
        self.onsetBeats = onsetBeats
        self.durationBeats = durationBeats
        self.onsetSeconds = onsetSeconds
        self.durationSeconds = durationSeconds
    }

    public var offsetBeats: Double { onsetBeats + durationBeats }
    public var offsetSeconds: Double { onsetSeconds + durationSeconds }
}

/// The notes of a file on one timeline, ordered by onset, then pitch, then track.
public struct Performance: Sendable, Hashable {
    public var notes: [Note]
    public var durationBeats: Double
    public var durationSeconds: Double

    public init(notes: [Note], durationBeats: Double, durationSeconds: Double) {
        self.notes = notes
        self.durationBeats = durationBeats
        self.durationSeconds = durationSeconds
    }
}
