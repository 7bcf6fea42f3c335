/// One short MIDI message (channel voice, system common or real-time), at most 3 bytes,
/// stored inline so that it can cross the real-time boundary without allocation.
///
/// Why a fixed value type and not `[UInt8]`: arrays allocate, and this type travels through
/// `SPSCRing` and the JACK process callback, where allocation is forbidden. SysEx longer than
/// 3 bytes is deliberately not representable; the input side skips and counts it.
public struct MIDIBytes: BitwiseCopyable, Sendable, Hashable, CustomStringConvertible {
    public var status: UInt8
    public var data1: UInt8
    public var data2: UInt8
    /// Number of meaningful bytes, 1...3 (0 only for the empty value).
    public var count: UInt8

    @inlinable @_noAllocation @_noLocks
    public init(status: UInt8, data1: UInt8 = 0, data2: UInt8 = 0, count: UInt8) {
        self.status = status
        self.data1 = data1
        self.data2 = data2
        self.count = count
    }

    /// Builds a message from status and data bytes, inferring `count` from the status byte
    /// (the MIDI 1.0 table), so callers cannot get the length wrong.
    @inlinable
    public init(_ status: UInt8, _ data1: UInt8 = 0, _ data2: UInt8 = 0) {
        self.init(status: status, data1: data1, data2: data2, count: MIDIBytes.length(ofStatus: status))
    }

    @inlinable
    public static func noteOn(channel: UInt8, pitch: UInt8, velocity: UInt8) -> MIDIBytes {
        MIDIBytes(0x90 | (channel & 0x0F), pitch & 0x7F, velocity & 0x7F)
    }

    @inlinable
    public static func noteOff(channel: UInt8, pitch: UInt8, velocity: UInt8 = 0) -> MIDIBytes {
        MIDIBytes(0x80 | (channel & 0x0F), pitch & 0x7F, velocity & 0x7F)
    }

    @inlinable
    public static func controlChange(channel: UInt8, controller: UInt8, value: UInt8) -> MIDIBytes {
        MIDIBytes(0xB0 | (channel & 0x0F), controller & 0x7F, value & 0x7F)
    }

    /// CC 123, All Notes Off.
    @inlinable
    public static func allNotesOff(channel: UInt8) -> MIDIBytes {
        controlChange(channel: channel, controller: 123, value: 0)
    }

    /// MIDI clock, 24 a beat.
    public static let clockTick = MIDIBytes(0xF8)
    /// The song starts at beat 0.
    public static let clockStart = MIDIBytes(0xFA)
    /// Goes on from where it stopped.
    public static let clockContinue = MIDIBytes(0xFB)
    public static let clockStop = MIDIBytes(0xFC)

    /// Message length implied by a status byte; 1 for unknown/real-time so nothing is invented.
    @inlinable
    public static func length(ofStatus status: UInt8) -> UInt8 {
        switch status & 0xF0 {
        case 0x80, 0x90, 0xA0, 0xB0, 0xE0: return 3
        case 0xC0, 0xD0: return 2
        default:
            switch status {
            case 0xF1, 0xF3: return 2
            case 0xF2: return 3
            default: return 1
            }
        }
    }

    /// A complete channel voice message (8n...En with its data bytes).
    @inlinable public var isChannelVoice: Bool {
        status >= 0x80 && status < 0xF0 && count == MIDIBytes.length(ofStatus: status)
    }

    @inlinable public var isControlChange: Bool { status & 0xF0 == 0xB0 && count == 3 }

    /// Channel 0...15 of a channel voice message.
    @inlinable public var channel: UInt8 { status & 0x0F }

    /// True for 0x9n with velocity > 0 (0x9n velocity 0 is a note-off by MIDI convention).
    @inlinable public var isNoteOn: Bool { status & 0xF0 == 0x90 && data2 != 0 && count == 3 }

    /// True for 0x8n, and for 0x9n with velocity 0.
    @inlinable public var isNoteOff: Bool {
        count == 3 && (status & 0xF0 == 0x80 || (status & 0xF0 == 0x90 && data2 == 0))
    }

    public var description: String {
        switch count {
        case 0: return "MIDIBytes()"
        case 1: return "MIDIBytes(\(hex(status)))"
        case 2: return "MIDIBytes(\(hex(status)) \(hex(data1)))"
        default: return "MIDIBytes(\(hex(status)) \(hex(data1)) \(hex(data2)))"
        }
    }
}
