import ContinuoEncoding
import ContinuoMIDI

/// Writes decoded notes as a Standard MIDI File: a conductor track (tempo, time signature,
/// a marker where the machine takes over) and one track per part, so tools and `plot` can tell
/// the primer from what was generated.
public enum NotesToMIDI {
    public static let ticksPerQuarter = 480
    static let ticksPerStep = ticksPerQuarter / Vocabulary.stepsPerBeat

    public struct Part: Sendable {
        public var name: String
        public var notes: [QuantizedNote]
        public var channel: UInt8
        public var program: UInt8

        public init(name: String, notes: [QuantizedNote], channel: UInt8 = 0, program: UInt8 = 0) {
            self.name = name
            self.notes = notes
            self.channel = channel
            self.program = program
        }
    }

    public static func file(parts: [Part], bpm: Double, title: String, markerStep: Int? = nil, beatsPerBar: Int = 4) -> MIDIFile {
        var conductor = MIDITrack()
        conductor.append(MIDIEvent(tick: 0, .meta(.text(.trackName, Array(title.utf8)))))
        let tempo = UInt32(min(max((60_000_000 / max(bpm, 1)).rounded(), 1), 0xFF_FFFF))
        conductor.append(MIDIEvent(tick: 0, .meta(.tempo(microsecondsPerQuarter: tempo))))
        conductor.append(MIDIEvent(tick: 0, .meta(.timeSignature(numerator: UInt8(clamping: beatsPerBar), denominatorPower: 2,
                                                                   clocksPerClick: 24, thirtySecondsPerQuarter: 8))))
        if let markerStep {
            conductor.append(MIDIEvent(tick: markerStep * ticksPerStep, .meta(.text(.marker, Array("continuo starts".utf8)))))
        }
        var tracks = [conductor]
        for part in parts {
            var events: [(tick: Int, order: Int, message: MIDIMessage)] = []
            for note in part.notes {
                events.append((note.onsetStep * ticksPerStep, 1, .noteOn(channel: part.channel, note: note.pitch, velocity: max(note.velocity, 1))))
                events.append((note.offsetStep * ticksPerStep, 0, .noteOff(channel: part.channel, note: note.pitch, velocity: 64)))
            }
            // Offs before ons on one tick, so a re-struck key is not cut by its own release.
            events.sort { ($0.tick, $0.order) < ($1.tick, $1.order) }
            var track = MIDITrack()
            track.append(MIDIEvent(tick: 0, .meta(.text(.trackName, Array(part.name.utf8)))))
            track.append(MIDIEvent(tick: 0, .programChange(channel: part.channel, program: part.program)))
            for event in events { track.append(MIDIEvent(tick: event.tick, event.message)) }
            track.append(MIDIEvent(tick: events.last?.tick ?? 0, .meta(.endOfTrack)))
            tracks.append(track)
        }
        tracks[0].append(MIDIEvent(tick: tracks.map(\.endTick).max() ?? 0, .meta(.endOfTrack)))
        return MIDIFile(format: .simultaneousTracks, division: .ticksPerQuarter(UInt16(ticksPerQuarter)), tracks: tracks)
    }
}
