/// What the daemon hands the engine: MIDI from the performer or the DAW, and the transport
/// state it reads each cycle. Channels are 0-based.
public enum InputEvent: Sendable, Hashable {
    /// A note-on with velocity 0 is a note-off (running-status keyboards send those).
    case noteOn(channel: UInt8, pitch: UInt8, velocity: UInt8)
    case noteOff(channel: UInt8, pitch: UInt8)
    case controlChange(channel: UInt8, controller: UInt8, value: UInt8)
    /// MIDI clock `F8`, 24 a beat.
    case clockTick
    /// `FA`: the song starts at beat 0.
    case clockStart
    /// `FC`.
    case clockStop
    /// `FB`: goes on from where it stopped.
    case clockContinue
    /// JACK transport as the daemon reads it per cycle: rolling, tempo and the beat position at
    /// the frame the event is received at.
    case transport(rolling: Bool, bpm: Double, beat: Double)

    /// Parses one raw MIDI message (status byte first); nil for what the engine ignores.
    public init?(midi bytes: some Collection<UInt8>) {
        guard let status = bytes.first else { return nil }
        let data = Array(bytes.dropFirst().prefix(2))
        let channel = status & 0x0F
        switch status & 0xF0 {
        case 0x90 where data.count == 2:
            self = data[1] == 0 ? .noteOff(channel: channel, pitch: data[0] & 0x7F)
                                : .noteOn(channel: channel, pitch: data[0] & 0x7F, velocity: data[1] & 0x7F)
        case 0x80 where data.count >= 1:
            self = .noteOff(channel: channel, pitch: data[0] & 0x7F)
        case 0xB0 where data.count == 2:
            self = .controlChange(channel: channel, controller: data[0] & 0x7F, value: data[1] & 0x7F)
        case 0xF0:
            switch status {
            case 0xF8: self = .clockTick
            case 0xFA: self = .clockStart
            case 0xFB: self = .clockContinue
            case 0xFC: self = .clockStop
            default: return nil
            }
        default:
            return nil
        }
    }

    /// The channel of a channel message.
    var channel: UInt8? {
        switch self {
        case let .noteOn(c, _, _), let .noteOff(c, _), let .controlChange(c, _, _): return c
        default: return nil
        }
    }
}
