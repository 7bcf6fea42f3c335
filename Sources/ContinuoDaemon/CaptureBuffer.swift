import ContinuoJACK
import ContinuoMIDI
import Foundation

/// The last few thousand events of performer and machine, for `capture` ("keep that").
/// Written and read on the worker thread only.
final class CaptureBuffer {
    struct Entry {
        var frame: Int64
        var bytes: MIDIBytes
        var isMachine: Bool
    }

    private var ring: [Entry]
    private var next = 0
    private var filled = false

    init(capacity: Int = 20_000) {
        ring = Array(repeating: Entry(frame: 0, bytes: MIDIBytes(0, 0, 0), isMachine: false), count: capacity)
    }

    func append(frame: Int64, bytes: MIDIBytes, isMachine: Bool) {
        ring[next] = Entry(frame: frame, bytes: bytes, isMachine: isMachine)
        next = (next + 1) % ring.count
        if next == 0 { filled = true }
    }

    func events(since frame: Int64) -> [Entry] {
        let ordered = filled ? Array(ring[next...] + ring[..<next]) : Array(ring[..<next])
        return ordered.filter { $0.frame >= frame }.sorted { $0.frame < $1.frame }
    }

    /// Two tracks, "performer" and "continuo", every note closed at the end.
    static func midiFile(_ entries: [Entry], from start: Int64, framesPerBeat: Double, bpm: Double) -> MIDIFile {
        let tpq = 480.0
        func tick(_ frame: Int64) -> Int { max(0, Int((Double(frame - start) / framesPerBeat * tpq).rounded())) }
        var conductor = MIDITrack()
        conductor.append(MIDIEvent(tick: 0, .meta(.text(.trackName, Array("Continuo capture".utf8)))))
        conductor.append(MIDIEvent(tick: 0, .meta(.tempo(microsecondsPerQuarter: UInt32(min(max(60_000_000 / max(bpm, 1), 1), 0xFF_FFFF))))))
        var tracks = [conductor]
        for (name, machine) in [("performer", false), ("continuo", true)] {
            var track = MIDITrack()
            track.append(MIDIEvent(tick: 0, .meta(.text(.trackName, Array(name.utf8)))))
            var sounding = Set<Int>()
            var last = 0
            for entry in entries where entry.isMachine == machine {
                let b = entry.bytes
                let t = tick(entry.frame)
                last = max(last, t)
                let key = Int(b.channel) << 7 | Int(b.data1)
                if b.isNoteOn {
                    if sounding.contains(key) { track.append(MIDIEvent(tick: t, .noteOff(channel: b.channel, note: b.data1, velocity: 0))) }
                    sounding.insert(key)
                    track.append(MIDIEvent(tick: t, .noteOn(channel: b.channel, note: b.data1, velocity: b.data2)))
                } else if b.isNoteOff {
                    // A note begun before the captured stretch has no note-on here: skip its release.
                    guard sounding.remove(key) != nil else { continue }
                    track.append(MIDIEvent(tick: t, .noteOff(channel: b.channel, note: b.data1, velocity: 0)))
                } else if b.status & 0xF0 == 0xB0 {
                    track.append(MIDIEvent(tick: t, .controlChange(channel: b.channel, controller: b.data1, value: b.data2)))
                }
            }
            for key in sounding.sorted() {
                track.append(MIDIEvent(tick: last, .noteOff(channel: UInt8(key >> 7), note: UInt8(key & 0x7F), velocity: 0)))
            }
            track.append(MIDIEvent(tick: last, .meta(.endOfTrack)))
            tracks.append(track)
        }
        tracks[0].append(MIDIEvent(tick: tracks.map(\.endTick).max() ?? 0, .meta(.endOfTrack)))
        return MIDIFile(format: .simultaneousTracks, division: .ticksPerQuarter(480), tracks: tracks)
    }
}
