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

extension MetaEvent {
    /// Decodes `FF type length data`; a known type with the wrong length stays `.unknown`.
    public init<C: Collection>(type: UInt8, data: C) where C.Element == UInt8, C.Index == Int {
        let d = Array(data)
        let n = d.count
        switch type {
        case 0x00 where n == 2: self = .sequenceNumber(UInt16(d[0]) << 8 | UInt16(d[1]))
        case 0x00 where n == 0: self = .sequenceNumber(nil)
        case 0x01...0x09: self = .text(TextKind(rawValue: type)!, d)
        case 0x20 where n == 1: self = .channelPrefix(d[0])
        case 0x21 where n == 1: self = .port(d[0])
        case 0x2F: self = .endOfTrack
        case 0x51 where n == 3: self = .tempo(microsecondsPerQuarter: UInt32(d[0]) << 16 | UInt32(d[1]) << 8 | UInt32(d[2]))
        case 0x54 where n == 5: self = .smpteOffset(hours: d[0], minutes: d[1], seconds: d[2], frames: d[3], hundredths: d[4])
        case 0x58 where n == 4:
            self = .timeSignature(numerator: d[0], denominatorPower: d[1], clocksPerClick: d[2], thirtySecondsPerQuarter: d[3])
        case 0x59 where n == 2: self = .keySignature(sharps: Int8(bitPattern: d[0]), minor: d[1] != 0)
        case 0x7F: self = .sequencerSpecific(d)
        default: self = .unknown(type: type, data: d)
        }
    }

    /// Type byte and data, as stored in a file.
    public var encoded: (type: UInt8, data: [UInt8]) {
        switch self {
        case let .sequenceNumber(n?): return (0x00, [UInt8(n >> 8), UInt8(n & 0xFF)])
        case .sequenceNumber(nil): return (0x00, [])
        case let .text(kind, bytes): return (kind.rawValue, bytes)
        case let .channelPrefix(c): return (0x20, [c])
        case let .port(p): return (0x21, [p])
        case .endOfTrack: return (0x2F, [])
        case let .tempo(us):
            let clamped = min(us, 0xFF_FFFF)
            return (0x51, [UInt8(clamped >> 16), UInt8((clamped >> 8) & 0xFF), UInt8(clamped & 0xFF)])
        case let .smpteOffset(h, m, s, f, ff): return (0x54, [h, m, s, f, ff])
        case let .timeSignature(n, d, c, b): return (0x58, [n, d, c, b])
        case let .keySignature(sf, mi): return (0x59, [UInt8(bitPattern: sf), mi ? 1 : 0])
        case let .sequencerSpecific(data): return (0x7F, data)
        case let .unknown(type, data): return (type, data)
        }
    }
}
