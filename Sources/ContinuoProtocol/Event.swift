/// An asynchronous line sent to subscribed clients, never in answer to a request (it has
/// `event` where replies have `ok`): `{"event":"note","instance":"main","dir":"in",...}`.
public struct Event: Sendable, Hashable {
    /// The instance it happened on; nil for daemon-wide events (`dropped`, JACK xruns).
    public var instance: String?
    public var kind: Kind

    public init(instance: String? = nil, _ kind: Kind) {
        self.instance = instance
        self.kind = kind
    }

    public enum Kind: Sendable, Hashable {
        case note(Note)
        /// A parameter now has this value (from `set`, a preset, a CC knob).
        case param(Parameter, ParameterValue)
        /// The mode or paused state is now this.
        case mode(String, paused: Bool)
        /// This model is now playing.
        case model(path: String)
        /// `count` xruns since the last xrun event this client got.
        case xrun(count: Int)
        /// Something failed that no request waits on (a CC-triggered preset, a dropped JACK port).
        case warning(code: ErrorCode?, message: String)
        /// The tempo heard in the performer changed (by 1% or more), or the engine locked onto it
        /// or let go (`following`); `confidence` 0...1.
        case tempo(bpm: Double, confidence: Double, following: Bool)
        /// The key or the chord heard changed (nil: not heard yet, or no chord held).
        case harmony(key: String?, chord: String?)
        /// Events this client's queue shed since its last `dropped`, in all and per topic.
        case dropped(count: Int, topics: [Topic: Int])
    }

    public struct Note: Sendable, Hashable {
        public enum Direction: String, Sendable, Hashable, Codable {
            /// From the performer.
            case incoming = "in"
            /// From the machine.
            case outgoing = "out"
        }

        public var direction: Direction
        /// 1...16.
        public var channel: Int
        /// 0...127.
        public var pitch: Int
        /// 1...127 for a note-on; 0 is a note-off (as in MIDI running status).
        public var velocity: Int
        /// JACK frame time of the event, for ordering and latency measurement.
        public var frame: Int

        public init(direction: Direction, channel: Int, pitch: Int, velocity: Int, frame: Int) {
            self.direction = direction
            self.channel = channel
            self.pitch = pitch
            self.velocity = velocity
            self.frame = frame
        }
    }

    /// The topic a client subscribes to for this event; nil for `dropped`, which all get.
    public var topic: Topic? {
        switch kind {
        case .note: .notes
        case .param: .params
        case .mode: .mode
        case .model: .model
        case .xrun: .xruns
        case .warning: .warnings
        case .tempo, .harmony: .listening
        case .dropped: nil
        }
    }

    /// The `event` field.
    public var name: String {
        switch kind {
        case .note: "note"
        case .param: "param"
        case .mode: "mode"
        case .model: "model"
        case .xrun: "xrun"
        case .warning: "warning"
        case .tempo: "tempo"
        case .harmony: "harmony"
        case .dropped: "dropped"
        }
    }

    private var members: [(String, JSONValue?)] {
        switch kind {
        case let .note(note):
            return [("dir", .string(note.direction.rawValue)), ("channel", .int(note.channel)), ("pitch", .int(note.pitch)),
                    ("velocity", .int(note.velocity)), ("frame", .int(note.frame))]
        case let .param(parameter, value): return [("param", .string(parameter.name)), ("value", value.json)]
        case let .mode(mode, paused): return [("mode", .string(mode)), ("paused", .bool(paused))]
        case let .model(path): return [("path", .string(path))]
        case let .xrun(count): return [("count", .int(count))]
        case let .warning(code, message): return [("code", code.map { .string($0.rawValue) }), ("message", .string(message))]
        case let .tempo(bpm, confidence, following):
            return [("bpm", .double((bpm * 100).rounded() / 100)), ("confidence", .double((confidence * 1000).rounded() / 1000)), ("following", .bool(following))]
        case let .harmony(key, chord): return [("key", key.map { .string($0) } ?? .null), ("chord", chord.map { .string($0) } ?? .null)]
        case let .dropped(count, topics):
            return [("count", .int(count)), ("topics", .object(Dictionary(uniqueKeysWithValues: topics.map { ($0.rawValue, .int($1)) })))]
        }
    }

    /// The line without its newline; `event` and `instance` first, then the fields in
    /// documented order.
    public var line: String {
        JSONWriter.object([("event", .string(name)), ("instance", instance.map { .string($0) })] + members)
    }

    /// The bytes to write: the line and its newline.
    public var encoded: [UInt8] { Array(line.utf8) + [0x0A] }

    /// Reads an event line's object (client side). Unknown extra fields are ignored, as the
    /// versioning rules require; an unknown event or a missing field gives nil.
    public init?(json: JSONValue) {
        guard let name = json["event"]?.stringValue else { return nil }
        let instance = json["instance"]?.stringValue
        let kind: Kind
        switch name {
        case "note":
            guard let dir = json["dir"]?.stringValue.flatMap(Note.Direction.init(rawValue:)),
                  let channel = json["channel"]?.intValue, let pitch = json["pitch"]?.intValue,
                  let velocity = json["velocity"]?.intValue, let frame = json["frame"]?.intValue else { return nil }
            kind = .note(Note(direction: dir, channel: channel, pitch: pitch, velocity: velocity, frame: frame))
        case "param":
            guard let parameter = json["param"]?.stringValue.flatMap(Parameter.init(rawValue:)),
                  let raw = json["value"], case let .success(value) = parameter.validate(raw) else { return nil }
            kind = .param(parameter, value)
        case "mode":
            guard let mode = json["mode"]?.stringValue, let paused = json["paused"]?.boolValue else { return nil }
            kind = .mode(mode, paused: paused)
        case "model":
            guard let path = json["path"]?.stringValue else { return nil }
            kind = .model(path: path)
        case "xrun":
            guard let count = json["count"]?.intValue else { return nil }
            kind = .xrun(count: count)
        case "warning":
            guard let message = json["message"]?.stringValue else { return nil }
            kind = .warning(code: json["code"]?.stringValue.flatMap(ErrorCode.init(rawValue:)), message: message)
        case "tempo":
            guard let bpm = json["bpm"]?.doubleValue, let confidence = json["confidence"]?.doubleValue,
                  let following = json["following"]?.boolValue else { return nil }
            kind = .tempo(bpm: bpm, confidence: confidence, following: following)
        case "harmony":
            kind = .harmony(key: json["key"]?.stringValue, chord: json["chord"]?.stringValue)
        case "dropped":
            guard let count = json["count"]?.intValue else { return nil }
            var topics: [Topic: Int] = [:]
            for (key, value) in json["topics"]?.objectValue ?? [:] {
                if let topic = Topic(rawValue: key), let n = value.intValue { topics[topic] = n }
            }
            kind = .dropped(count: count, topics: topics)
        default:
            return nil
        }
        self.init(instance: instance, kind)
    }
}
