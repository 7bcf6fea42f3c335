import ContinuoJACK

/// The performer's notes passed through in effect mode, done by the daemon itself so they
/// keep their exact offset one period later (a constant latency, reported to JACK), however
/// late the worker hears of them. A note passed on is always released, even if the mode
/// changes while the key is down.
struct PassThrough {
    private var sounding = [Bool](repeating: false, count: 16 * 128)

    /// What to send for an input event, if anything.
    mutating func route(_ bytes: MIDIBytes, effectMode: Bool, boundControllers: Set<UInt8>) -> MIDIBytes? {
        let key = Int(bytes.channel) << 7 | Int(bytes.data1 & 0x7F)
        if bytes.isNoteOn {
            guard effectMode, !sounding[key] else { return nil }
            sounding[key] = true
            return bytes
        }
        if bytes.isNoteOff {
            guard sounding[key] else { return nil }
            sounding[key] = false
            return bytes
        }
        switch bytes.status & 0xF0 {
        case 0xB0 where effectMode && !boundControllers.contains(bytes.data1),
             0xE0 where effectMode, 0xD0 where effectMode, 0xA0 where effectMode, 0xC0 where effectMode:
            return bytes
        default:
            return nil
        }
    }

    /// Note-offs for every note still passed on (shutdown).
    mutating func releaseAll() -> [MIDIBytes] {
        var offs: [MIDIBytes] = []
        for key in sounding.indices where sounding[key] {
            offs.append(.noteOff(channel: UInt8(key >> 7), pitch: UInt8(key & 0x7F)))
            sounding[key] = false
        }
        return offs
    }
}
