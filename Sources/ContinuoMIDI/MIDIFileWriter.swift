/// Writes Standard MIDI Files. Channel messages use running status; every track is closed
/// with exactly one End of Track, placed after its last event.
public enum MIDIFileWriter {
    public static func write(_ file: MIDIFile) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(14 + file.tracks.reduce(0) { $0 + 8 + $1.events.count * 4 })
        out += Array("MThd".utf8)
        appendBE32(6, to: &out)
        appendBE16(file.format.rawValue, to: &out)
        appendBE16(UInt16(clamping: file.tracks.count), to: &out)
        switch file.division {
        case let .ticksPerQuarter(tpq):
            appendBE16(tpq & 0x7FFF, to: &out)
        case let .smpte(fps, tpf):
            out.append(UInt8(bitPattern: Int8(-Int(fps))))
            out.append(tpf)
        }
        for track in file.tracks.prefix(Int(UInt16.max)) {
            let body = trackBody(track)
            out += Array("MTrk".utf8)
            appendBE32(UInt32(body.count), to: &out)
            out += body
        }
        return out
    }

    static func trackBody(_ track: MIDITrack) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(track.events.count * 4 + 4)
        var previousTick = 0
        var runningStatus: UInt8 = 0
        var endTick = 0
        for event in track.events {
            if case .meta(.endOfTrack) = event.message {
                endTick = max(endTick, event.tick)
                continue
            }
            // Events must not go back in time; a caller's unsorted event is moved to the present.
            let tick = max(event.tick, previousTick)
            appendVLQ(tick - previousTick, to: &out)
            previousTick = tick
            append(event.message, runningStatus: &runningStatus, to: &out)
        }
        appendVLQ(max(endTick, previousTick) - previousTick, to: &out)
        out += [0xFF, 0x2F, 0x00]
        return out
    }

    private static func append(_ message: MIDIMessage, runningStatus: inout UInt8, to out: inout [UInt8]) {
        func channelMessage(_ kind: UInt8, _ channel: UInt8, _ data: UInt8...) {
            let status = kind | (channel & 0x0F)
            if status != runningStatus { out.append(status) }
            runningStatus = status
            for byte in data { out.append(byte & 0x7F) }
        }
        switch message {
        case let .noteOff(c, n, v): channelMessage(0x80, c, n, v)
        case let .noteOn(c, n, v): channelMessage(0x90, c, n, v)
        case let .polyphonicPressure(c, n, p): channelMessage(0xA0, c, n, p)
        case let .controlChange(c, k, v): channelMessage(0xB0, c, k, v)
        case let .programChange(c, p): channelMessage(0xC0, c, p)
        case let .channelPressure(c, p): channelMessage(0xD0, c, p)
        case let .pitchBend(c, v): channelMessage(0xE0, c, UInt8(v & 0x7F), UInt8((v >> 7) & 0x7F))
        case let .sysex(data):
            runningStatus = 0
            out.append(0xF0); appendVLQ(data.count, to: &out); out += data
        case let .sysexEscape(data):
            runningStatus = 0
            out.append(0xF7); appendVLQ(data.count, to: &out); out += data
        case let .meta(meta):
            runningStatus = 0
            let (type, data) = encode(meta)
            out.append(0xFF); out.append(type); appendVLQ(data.count, to: &out); out += data
        }
    }

    private static func encode(_ meta: MetaEvent) -> (UInt8, [UInt8]) {
        switch meta {
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

    /// Variable-length quantity; values beyond the format's 28 bits are clamped.
    static func appendVLQ(_ value: Int, to out: inout [UInt8]) {
        let v = UInt32(clamping: min(max(value, 0), 0x0FFF_FFFF))
        if v >= 1 << 21 { out.append(UInt8(0x80 | (v >> 21) & 0x7F)) }
        if v >= 1 << 14 { out.append(UInt8(0x80 | (v >> 14) & 0x7F)) }
        if v >= 1 << 7 { out.append(UInt8(0x80 | (v >> 7) & 0x7F)) }
        out.append(UInt8(v & 0x7F))
    }

    private static func appendBE16(_ v: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(v >> 8)); out.append(UInt8(v & 0xFF))
    }

    private static func appendBE32(_ v: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(v >> 24)); out.append(UInt8((v >> 16) & 0xFF))
        out.append(UInt8((v >> 8) & 0xFF)); out.append(UInt8(v & 0xFF))
    }
}
