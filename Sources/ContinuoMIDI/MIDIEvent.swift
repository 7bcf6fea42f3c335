/// An event at an absolute tick position inside its track.
public struct MIDIEvent: Sendable, Hashable {
    public var tick: Int
    public var message: MIDIMessage

    public init(tick: Int, _ message: MIDIMessage) {
        self.tick = tick
        self.message = message
    }
}

/// Everything a track chunk can carry. Channels are 0-based (0...15); data bytes are 7-bit.
public enum MIDIMessage: Sendable, Hashable {
    case noteOff(channel: UInt8, note: UInt8, velocity: UInt8)
    /// Kept as stored: a note-on with velocity 0 stays a note-on here and is read as a
    /// note-off by `NoteExtractor`, so that files round-trip byte for byte in meaning.
    case noteOn(channel: UInt8, note: UInt8, velocity: UInt8)
    case polyphonicPressure(channel: UInt8, note: UInt8, pressure: UInt8)
    case controlChange(channel: UInt8, controller: UInt8, value: UInt8)
    case programChange(channel: UInt8, program: UInt8)
    case channelPressure(channel: UInt8, pressure: UInt8)
    /// 14-bit value, 8192 is the centre.
    case pitchBend(channel: UInt8, value: UInt16)
    /// An `F0` event: the bytes after `F0`, normally ending in `F7`.
    case sysex([UInt8])
    /// An `F7` event: a continuation packet of a split sysex, or an escape for arbitrary bytes.
    case sysexEscape([UInt8])
    case meta(MetaEvent)

    /// The channel of a channel message; nil for sysex and meta events.
    public var channel: UInt8? {
        switch self {
        case let .noteOff(c, _, _), let .noteOn(c, _, _), let .polyphonicPressure(c, _, _),
             let .controlChange(c, _, _), let .programChange(c, _), let .channelPressure(c, _),
             let .pitchBend(c, _):
            return c
        case .sysex, .sysexEscape, .meta:
            return nil
        }
    }
}

/// Meta events (`FF type length data`).
public enum MetaEvent: Sendable, Hashable {
    public enum TextKind: UInt8, Sendable, Hashable, CaseIterable {
        case text = 0x01, copyright = 0x02, trackName = 0x03, instrumentName = 0x04
        case lyric = 0x05, marker = 0x06, cuePoint = 0x07, programName = 0x08, deviceName = 0x09
    }

    /// `FF 00`: nil when stored with length 0 (meaning "use the track's position").
    case sequenceNumber(UInt16?)
    case text(TextKind, [UInt8])
    case channelPrefix(UInt8)
    case port(UInt8)
    case endOfTrack
    case tempo(microsecondsPerQuarter: UInt32)
    case smpteOffset(hours: UInt8, minutes: UInt8, seconds: UInt8, frames: UInt8, hundredths: UInt8)
    /// `denominatorPower` is the power of two: 2 means a quarter-note denominator.
    case timeSignature(numerator: UInt8, denominatorPower: UInt8, clocksPerClick: UInt8, thirtySecondsPerQuarter: UInt8)
    case keySignature(sharps: Int8, minor: Bool)
    case sequencerSpecific([UInt8])
    /// Any other type, or a known type whose length is not the specified one; kept verbatim.
    case unknown(type: UInt8, data: [UInt8])

    /// 120 bpm, the tempo a file has until it says otherwise.
    public static let defaultMicrosecondsPerQuarter: UInt32 = 500_000
}
