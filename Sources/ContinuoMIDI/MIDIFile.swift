/// A Standard MIDI File as it is stored: header fields plus tracks of timestamped events.
public struct MIDIFile: Sendable, Hashable {
    public enum Format: UInt16, Sendable, Hashable {
        /// One track holding every channel.
        case singleTrack = 0
        /// Simultaneous tracks sharing one tempo map (conductor track first by convention).
        case simultaneousTracks = 1
        /// Independent patterns, each with its own tempo; they are not meant to sound together.
        case independentPatterns = 2
    }

    /// How delta-times are measured: musical ticks per quarter note, or SMPTE frames.
    public enum Division: Sendable, Hashable {
        case ticksPerQuarter(UInt16)
        /// `framesPerSecond` is 24, 25, 29 (30 drop-frame, i.e. 29.97) or 30.
        case smpte(framesPerSecond: UInt8, ticksPerFrame: UInt8)

        /// SMPTE ticks per second; nil for musical time.
        public var ticksPerSecond: Double? {
            guard case let .smpte(fps, tpf) = self else { return nil }
            let rate = fps == 29 ? 30_000.0 / 1001.0 : Double(fps)
            return rate * Double(tpf)
        }
    }

    public var format: Format
    public var division: Division
    public var tracks: [MIDITrack]

    public init(format: Format, division: Division, tracks: [MIDITrack]) {
        self.format = format
        self.division = division
        self.tracks = tracks
    }
}

/// One `MTrk` chunk: events in stored order with absolute tick times.
public struct MIDITrack: Sendable, Hashable {
    public var events: [MIDIEvent]

    public init(events: [MIDIEvent] = []) {
        self.events = events
    }

    /// The track-name meta event, if any.
    public var name: String? {
        for event in events {
            if case let .meta(.text(.trackName, bytes)) = event.message {
                return MetaEvent.decodeText(bytes)
            }
        }
        return nil
    }

    /// Tick of the last event (normally End of Track).
    public var endTick: Int { events.last?.tick ?? 0 }
}

extension MetaEvent {
    /// Text events have no declared encoding: UTF-8 when the bytes are valid UTF-8, else
    /// Latin-1 (what most older files, such as the piano-midi.de copyright lines, use).
    public static func decodeText(_ bytes: [UInt8]) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
