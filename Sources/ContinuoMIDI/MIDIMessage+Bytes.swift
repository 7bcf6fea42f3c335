/// A file's channel messages and the wire's short messages are the same thing: one conversion
/// each way, so the file reader, the engine and the real-time backends agree byte for byte.
extension MIDIMessage {
    /// The channel voice message these bytes spell; nil for system messages (they have no
    /// place in a track chunk as short messages).
    public init?(_ bytes: MIDIBytes) {
        guard bytes.count == MIDIBytes.length(ofStatus: bytes.status), bytes.status >= 0x80, bytes.status < 0xF0 else { return nil }
        let channel = bytes.status & 0x0F
        let d1 = bytes.data1 & 0x7F, d2 = bytes.data2 & 0x7F
        switch bytes.status & 0xF0 {
        case 0x80: self = .noteOff(channel: channel, note: d1, velocity: d2)
        case 0x90: self = .noteOn(channel: channel, note: d1, velocity: d2)
        case 0xA0: self = .polyphonicPressure(channel: channel, note: d1, pressure: d2)
        case 0xB0: self = .controlChange(channel: channel, controller: d1, value: d2)
        case 0xC0: self = .programChange(channel: channel, program: d1)
        case 0xD0: self = .channelPressure(channel: channel, pressure: d1)
        default: self = .pitchBend(channel: channel, value: UInt16(d1) | UInt16(d2) << 7)
        }
    }

    /// The bytes of a channel voice message; nil for sysex and meta events.
    public var shortMessage: MIDIBytes? {
        switch self {
        case let .noteOff(c, n, v): MIDIBytes(0x80 | (c & 0x0F), n & 0x7F, v & 0x7F)
        case let .noteOn(c, n, v): MIDIBytes(0x90 | (c & 0x0F), n & 0x7F, v & 0x7F)
        case let .polyphonicPressure(c, n, p): MIDIBytes(0xA0 | (c & 0x0F), n & 0x7F, p & 0x7F)
        case let .controlChange(c, k, v): MIDIBytes(0xB0 | (c & 0x0F), k & 0x7F, v & 0x7F)
        case let .programChange(c, p): MIDIBytes(0xC0 | (c & 0x0F), p & 0x7F)
        case let .channelPressure(c, p): MIDIBytes(0xD0 | (c & 0x0F), p & 0x7F)
        case let .pitchBend(c, v): MIDIBytes(0xE0 | (c & 0x0F), UInt8(v & 0x7F), UInt8((v >> 7) & 0x7F))
        case .sysex, .sysexEscape, .meta: nil
        }
    }
}
