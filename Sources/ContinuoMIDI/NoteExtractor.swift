/// Turns a file's note events into `Note`s the way a pianist hears them.
///
/// - Note-on with velocity 0 is a note-off.
/// - Sustain pedal (CC64 >= 64 down) holds released notes until the pedal lifts, or until the
///   same key is struck again. The pedal acts on its channel in every track, as on a synth.
/// - A key struck again while it sounds ends the earlier note there; the key then sounds
///   until as many note-offs have come as note-ons (so no note is ever lost or overlapped).
/// - All Sound Off (CC120) and All Notes Off (CC123) end the channel's notes.
/// - A note still open at the end of its track ends there.
/// - Format 2 patterns are laid one after another on one timeline, each with its own tempo.
public struct NoteExtractor: Sendable {
    public var includeDrums: Bool
    /// GM percussion channel (0-based).
    public static let drumChannel: UInt8 = 9

    public init(includeDrums: Bool = false) {
        self.includeDrums = includeDrums
    }

    public func performance(of file: MIDIFile) -> Performance {
        guard file.format == .independentPatterns, file.tracks.count > 1 else {
            return timeline(file, tracks: Array(file.tracks.indices), tempo: TempoMap(file: file))
        }
        var notes: [Note] = []
        var tickOffset = 0, beatOffset = 0.0, secondOffset = 0.0
        for index in file.tracks.indices {
            let tempo = TempoMap(file: file, track: index)
            var part = timeline(file, tracks: [index], tempo: tempo)
            for i in part.notes.indices {
                part.notes[i].onsetTick += tickOffset
                part.notes[i].offsetTick += tickOffset
                part.notes[i].onsetBeats += beatOffset
                part.notes[i].onsetSeconds += secondOffset
            }
            notes += part.notes
            tickOffset += file.tracks[index].endTick
            beatOffset += part.durationBeats
            secondOffset += part.durationSeconds
        }
        return Performance(notes: notes, durationBeats: beatOffset, durationSeconds: secondOffset)
    }

    private func timeline(_ file: MIDIFile, tracks: [Int], tempo: TempoMap) -> Performance {
        let endTick = tracks.map { file.tracks[$0].endTick }.max() ?? 0
        let controls = ChannelControls(file: file, tracks: tracks, endTick: endTick)
        var scan = TrackScan(controls: controls, includeDrums: includeDrums)
        for index in tracks { scan.scan(file.tracks[index], index: index) }
        var notes = scan.notes
        scan.notes = []
        sortByOnsetPitchTrack(&notes)
        var segment = 0
        let segments = tempo.segments
        for i in notes.indices {
            let on = notes[i].onsetTick, off = notes[i].offsetTick
            while segment + 1 < segments.count, segments[segment + 1].tick <= on { segment += 1 }
            // Notes are short next to tempo segments: walk forward from the onset's segment.
            var offSegment = segment
            while offSegment + 1 < segments.count, segments[offSegment + 1].tick <= off { offSegment += 1 }
            let onBeats = tempo.beats(atTick: on, segment: segment)
            let onSeconds = tempo.seconds(atTick: on, segment: segment)
            notes[i].onsetBeats = onBeats
            notes[i].onsetSeconds = onSeconds
            notes[i].durationBeats = tempo.beats(atTick: off, segment: offSegment) - onBeats
            notes[i].durationSeconds = tempo.seconds(atTick: off, segment: offSegment) - onSeconds
            notes[i].program = controls.program(channel: notes[i].channel, atTick: on)
        }
        return Performance(notes: notes, durationBeats: tempo.beats(atTick: endTick),
                           durationSeconds: tempo.seconds(atTick: endTick))
    }

}

/// Per-key bookkeeping inside one track: 16 channels x 128 keys.
private struct KeyState {
    var openNote: Int32 = -1       // index into notes of the sounding note
    var heldStrikes: Int32 = 0     // note-ons not yet matched by a note-off
    var sustainedNote: Int32 = -1  // a released note the pedal still holds
}

/// One pass over one track's events, appending its notes. The key table is reset, not
/// reallocated, between tracks.
private struct TrackScan {
    var keys = [KeyState](repeating: KeyState(), count: 16 * 128)
    var pedalCursor = [Int](repeating: 0, count: 16)
    var notes: [Note] = []
    let controls: ChannelControls
    let includeDrums: Bool

    init(controls: ChannelControls, includeDrums: Bool) {
        self.controls = controls
        self.includeDrums = includeDrums
    }

    /// Keys used by the previous track: resetting only these keeps tracks cheap.
    var touchedKeys: [Int] = []

    mutating func scan(_ track: MIDITrack, index: Int) {
        for k in touchedKeys { keys[k] = KeyState() }
        touchedKeys.removeAll(keepingCapacity: true)
        for c in pedalCursor.indices { pedalCursor[c] = 0 }
        let trackEnd = track.endTick
        for event in track.raw {
            switch event.status & 0xF0 {
            case 0x90:
                let channel = event.status & 0x0F
                if event.data2 == 0 {
                    noteOff(channel: channel, pitch: event.data1, at: event.tick)
                } else if channel != NoteExtractor.drumChannel || includeDrums {
                    noteOn(channel: channel, pitch: event.data1, velocity: event.data2, at: event.tick, track: index, trackEnd: trackEnd)
                }
            case 0x80:
                noteOff(channel: event.status & 0x0F, pitch: event.data1, at: event.tick)
            case 0xB0 where event.data1 == 120 || event.data1 == 123:
                allOff(channel: event.status & 0x0F, hard: event.data1 == 120, at: event.tick)
            default:
                continue
            }
        }
    }

    @inline(__always)
    private mutating func noteOn(channel: UInt8, pitch: UInt8, velocity: UInt8, at tick: Int, track: Int, trackEnd: Int) {
        let key = Int(channel) << 7 | Int(pitch)
        let held = keys[key].sustainedNote
        if held >= 0 {
            if notes[Int(held)].offsetTick > tick { notes[Int(held)].offsetTick = tick }
            keys[key].sustainedNote = -1
        }
        if keys[key].openNote >= 0 {
            notes[Int(keys[key].openNote)].offsetTick = tick
        } else if keys[key].heldStrikes == 0 {
            touchedKeys.append(key)
        }
        keys[key].openNote = Int32(notes.count)
        keys[key].heldStrikes += 1
        notes.append(Note(pitch: pitch, velocity: velocity, channel: channel, track: track,
                          onsetTick: tick, offsetTick: trackEnd, onsetBeats: 0, durationBeats: 0))
    }

    @inline(__always)
    private mutating func noteOff(channel: UInt8, pitch: UInt8, at tick: Int) {
        let key = Int(channel) << 7 | Int(pitch)
        guard keys[key].heldStrikes > 0 else { return }
        keys[key].heldStrikes -= 1
        if keys[key].heldStrikes == 0, keys[key].openNote >= 0 { release(key, channel: Int(channel), at: tick) }
    }

    private mutating func allOff(channel: UInt8, hard: Bool, at tick: Int) {
        for pitch in 0..<128 {
            let key = Int(channel) << 7 | pitch
            guard keys[key].openNote >= 0 else { continue }
            keys[key].heldStrikes = 0
            if hard {
                notes[Int(keys[key].openNote)].offsetTick = tick
                keys[key].openNote = -1
            } else {
                release(key, channel: Int(channel), at: tick)
            }
        }
    }

    /// Ends the key's sounding note now, or when the pedal lifts if it is down.
    private mutating func release(_ key: Int, channel: Int, at tick: Int) {
        let note = Int(keys[key].openNote)
        keys[key].openNote = -1
        if let lift = controls.pedalRelease(channel: channel, heldAt: tick, cursor: &pedalCursor[channel]), lift > tick {
            notes[note].offsetTick = lift
            keys[key].sustainedNote = Int32(note)
        } else {
            notes[note].offsetTick = tick
        }
    }
}

/// Orders notes by onset, then pitch, then track. Each track's notes arrive in onset order,
/// so one-track files are usually sorted already; the rest sort on a packed integer key.
func sortByOnsetPitchTrack(_ notes: inout [Note]) {
    @inline(__always) func key(_ n: Note) -> UInt64 {
        UInt64(clamping: n.onsetTick) << 23 | UInt64(n.pitch) << 16 | UInt64(clamping: min(n.track, 0xFFFF))
    }
    let fits = notes.allSatisfy { $0.onsetTick < 1 << 40 && $0.onsetTick >= 0 }
    guard fits else {
        notes.sort { ($0.onsetTick, $0.pitch, $0.track) < ($1.onsetTick, $1.pitch, $1.track) }
        return
    }
    var sorted = true
    var previous: UInt64 = 0
    for note in notes {
        let k = key(note)
        if k < previous { sorted = false; break }
        previous = k
    }
    if sorted { return }
    var keyed = notes.indices.map { (key: key(notes[$0]), index: $0) }
    keyed.sort { $0.key < $1.key }
    notes = keyed.map { notes[$0.index] }
}

/// Sustain-pedal spans and program changes per channel, gathered from every track of a timeline.
struct ChannelControls {
    /// Per channel: [down, up) tick spans, sorted.
    private var pedalSpans: [[(down: Int, up: Int)]] = Array(repeating: [], count: 16)
    private var programs: [[(tick: Int, program: UInt8)]] = Array(repeating: [], count: 16)

    init(file: MIDIFile, tracks: [Int], endTick: Int) {
        var pedalEvents: [[(tick: Int, down: Bool)]] = Array(repeating: [], count: 16)
        for index in tracks {
            for event in file.tracks[index].raw {
                switch event.status & 0xF0 {
                case 0xB0 where event.data1 == 64:
                    pedalEvents[Int(event.status & 0x0F)].append((event.tick, event.data2 >= 64))
                case 0xC0:
                    programs[Int(event.status & 0x0F)].append((event.tick, event.data1))
                default:
                    continue
                }
            }
        }
        for channel in 0..<16 {
            if tracks.count > 1 {
                pedalEvents[channel] = pedalEvents[channel].enumerated()
                    .sorted { $0.element.tick != $1.element.tick ? $0.element.tick < $1.element.tick : $0.offset < $1.offset }
                    .map(\.element)
                programs[channel] = programs[channel].enumerated()
                    .sorted { $0.element.tick != $1.element.tick ? $0.element.tick < $1.element.tick : $0.offset < $1.offset }
                    .map(\.element)
            }
            var downAt: Int?
            for change in pedalEvents[channel] {
                if change.down, downAt == nil {
                    downAt = change.tick
                } else if !change.down, let start = downAt {
                    pedalSpans[channel].append((start, change.tick))
                    downAt = nil
                }
            }
            if let start = downAt { pedalSpans[channel].append((start, max(endTick, start))) }
        }
    }

    /// When the pedal that is down at `tick` lifts; nil if it is up. Calls for one channel
    /// must come with non-decreasing ticks (the cursor only moves forward).
    func pedalRelease(channel: Int, heldAt tick: Int, cursor: inout Int) -> Int? {
        let spans = pedalSpans[channel]
        while cursor < spans.count, spans[cursor].up <= tick { cursor += 1 }
        // A pedal pressed on the very tick of a note-off does not catch it (the usual order of
        // events on one tick is releases first).
        guard cursor < spans.count, spans[cursor].down < tick else { return nil }
        return spans[cursor].up
    }

    func program(channel: UInt8, atTick tick: Int) -> UInt8 {
        var current: UInt8 = 0
        for change in programs[Int(channel)] {
            if change.tick > tick { break }
            current = change.program
        }
        return current
    }
}
