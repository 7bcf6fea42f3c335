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
///
/// Stored compactly: one fixed-size record per event plus one byte buffer for the payloads of
/// meta and sysex events, so reading a file allocates per track, not per event, and scanning
/// notes touches plain bytes. `events` presents them as `MIDIEvent` values.
public struct MIDITrack: Sendable, Hashable {
    /// A channel message (status 0x80-0xEF and its data bytes), a sysex (0xF0/0xF7) or a meta
    /// event (0xFF, `data1` = type) whose bytes are `payload[payloadStart ..< +payloadLength]`.
    public struct RawEvent: Sendable, Hashable {
        public var tick: Int
        public var status: UInt8
        public var data1: UInt8
        public var data2: UInt8
        public var payloadStart: UInt32
        public var payloadLength: UInt32
    }

    public private(set) var raw: [RawEvent]
    public private(set) var payload: [UInt8]

    public init(events: [MIDIEvent] = []) {
        raw = []
        payload = []
        raw.reserveCapacity(events.count)
        for event in events { append(event) }
    }

    init(raw: [RawEvent], payload: [UInt8]) {
        self.raw = raw
        self.payload = payload
    }

    public var events: [MIDIEvent] {
        get { raw.map { MIDIEvent(tick: $0.tick, message(of: $0)) } }
        set { self = MIDITrack(events: newValue) }
    }

    public var eventCount: Int { raw.count }

    public mutating func append(_ event: MIDIEvent) {
        func withPayload(_ status: UInt8, _ type: UInt8, _ bytes: [UInt8]) {
            raw.append(RawEvent(tick: event.tick, status: status, data1: type, data2: 0,
                                payloadStart: bytes.isEmpty ? 0 : UInt32(payload.count), payloadLength: UInt32(bytes.count)))
            payload += bytes
        }
        if let short = event.message.shortMessage {
            raw.append(RawEvent(tick: event.tick, status: short.status, data1: short.data1, data2: short.data2, payloadStart: 0, payloadLength: 0))
            return
        }
        switch event.message {
        case .noteOff, .noteOn, .polyphonicPressure, .controlChange, .programChange, .channelPressure, .pitchBend:
            break
        case let .sysex(bytes): withPayload(0xF0, 0, bytes)
        case let .sysexEscape(bytes): withPayload(0xF7, 0, bytes)
        case let .meta(meta):
            let (type, bytes) = meta.encoded
            withPayload(0xFF, type, bytes)
        }
    }

    /// The payload bytes of a meta or sysex record.
    public func payload(of event: RawEvent) -> ArraySlice<UInt8> {
        let start = Int(event.payloadStart)
        return payload[start..<start + Int(event.payloadLength)]
    }

    public func message(of event: RawEvent) -> MIDIMessage {
        switch event.status {
        case 0x80...0xEF: return MIDIMessage(MIDIBytes(event.status, event.data1, event.data2))!
        case 0xF0: return .sysex(Array(payload(of: event)))
        case 0xF7: return .sysexEscape(Array(payload(of: event)))
        default: return .meta(MetaEvent(type: event.data1, data: payload(of: event)))
        }
    }

    /// The track-name meta event, if any.
    public var name: String? {
        for event in raw where event.status == 0xFF && event.data1 == 0x03 {
            return MetaEvent.decodeText(Array(payload(of: event)))
        }
        return nil
    }

    /// Tick of the last event (normally End of Track).
    public var endTick: Int { raw.last?.tick ?? 0 }
}

extension MetaEvent {
    /// Text events have no declared encoding: UTF-8 when the bytes are valid UTF-8, else
    /// Latin-1 (what most older files, such as the piano-midi.de copyright lines, use).
    public static func decodeText(_ bytes: [UInt8]) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }
}
