import CJack

/// A snapshot of JACK transport, from `jack_transport_query`.
public struct TransportInfo: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        case stopped, rolling, starting
        /// A state this wrapper does not name (e.g. net-starting), raw value kept.
        case other(UInt32)
    }

    /// Bar/beat/tick position, present only when the timebase master publishes it
    /// (`JackPositionBBT` valid) — otherwise tempo is simply unknown, not 120.
    public struct BBT: Sendable, Equatable {
        public var bar: Int32
        public var beat: Int32
        public var tick: Int32
        public var beatsPerBar: Float
        public var beatType: Float
        public var ticksPerBeat: Double
        public var beatsPerMinute: Double
    }

    public var state: State
    /// Transport frame (not the free-running frame clock).
    public var frame: UInt32
    public var frameRate: UInt32
    public var bbt: BBT?

    public var isRolling: Bool { state == .rolling }

    init(state raw: jack_transport_state_t, position p: jack_position_t) {
        switch raw {
        case JackTransportStopped: state = .stopped
        case JackTransportRolling: state = .rolling
        case JackTransportStarting: state = .starting
        default: state = .other(raw.rawValue)
        }
        frame = p.frame
        frameRate = p.frame_rate
        if p.valid.rawValue & JackPositionBBT.rawValue != 0 {
            bbt = BBT(bar: p.bar, beat: p.beat, tick: p.tick, beatsPerBar: p.beats_per_bar,
                      beatType: p.beat_type, ticksPerBeat: p.ticks_per_beat,
                      beatsPerMinute: p.beats_per_minute)
        } else {
            bbt = nil
        }
    }
}
