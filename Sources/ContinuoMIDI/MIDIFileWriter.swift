/// Writes Standard MIDI Files. Channel messages use running status; every track is closed
/// with exactly one End of Track, placed after its last event.
public enum MIDIFileWriter {
    public static func write(_ file: MIDIFile) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(14 + file.tracks.reduce(0) { $0 + 8 + $1.eventCount * 4 + $1.payload.count })
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
        out.reserveCapacity(track.eventCount * 4 + track.payload.count + 4)
        var previousTick = 0
        var runningStatus: UInt8 = 0
        var endTick = 0
        for event in track.raw {
            if event.status == 0xFF, event.data1 == 0x2F {
                endTick = max(endTick, event.tick)
                continue
            }
            // Events must not go back in time; a caller's unsorted event is moved to the present.
            let tick = max(event.tick, previousTick)
            appendVLQ(tick - previousTick, to: &out)
            previousTick = tick
            switch event.status {
            case 0x80...0xEF:
                if event.status != runningStatus { out.append(event.status) }
                runningStatus = event.status
                out.append(event.data1 & 0x7F)
                if MIDIBytes.length(ofStatus: event.status) == 3 { out.append(event.data2 & 0x7F) }
            case 0xF0, 0xF7:
                runningStatus = 0
                out.append(event.status)
                appendVLQ(Int(event.payloadLength), to: &out)
                out += track.payload(of: event)
            default:
                runningStatus = 0
                out += [0xFF, event.data1]
                appendVLQ(Int(event.payloadLength), to: &out)
                out += track.payload(of: event)
            }
        }
        appendVLQ(max(endTick, previousTick) - previousTick, to: &out)
        out += [0xFF, 0x2F, 0x00]
        return out
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
