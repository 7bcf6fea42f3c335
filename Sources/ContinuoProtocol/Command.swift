/// A validated command. Everything the daemon needs is typed and in range; the daemon still
/// checks state (does the preset exist, is the instance there).
public enum Command: Sendable, Hashable {
    case ping
    case version
    case status
    /// One parameter, or all of them (nil).
    case get(Parameter?)
    case set(Parameter, ParameterValue)
    case presetList
    case presetLoad(name: String)
    case presetSave(name: String)
    /// Load, validate and swap in off the real-time path; the old model stays on failure.
    case modelLoad(path: String)
    case panic
    case pause
    case resume
    /// The last `bars` bars of performer and machine to a MIDI file; nil path: the daemon picks one.
    case capture(path: String?, bars: Int)
    /// Forget what was heard this set: the performer model, key, chord and followed beat.
    case performerReset
    /// A kept phrase liked or disliked: copied into the keepers folder with its rating.
    case rate(path: String, rating: String)
    case subscribe(Set<Topic>)
    case unsubscribe(Set<Topic>)
    case instanceAdd(name: String, preset: String?)
    case instanceRemove(name: String)
    case instanceList

    /// Dotted name for logs and counters: "set", "preset.load", "instance.add".
    public var name: String {
        switch self {
        case .ping: "ping"
        case .version: "version"
        case .status: "status"
        case .get: "get"
        case .set: "set"
        case .presetList: "preset.list"
        case .presetLoad: "preset.load"
        case .presetSave: "preset.save"
        case .modelLoad: "model.load"
        case .panic: "panic"
        case .pause: "pause"
        case .resume: "resume"
        case .capture: "capture"
        case .performerReset: "performer.reset"
        case .rate: "rate"
        case .subscribe: "subscribe"
        case .unsubscribe: "unsubscribe"
        case .instanceAdd: "instance.add"
        case .instanceRemove: "instance.remove"
        case .instanceList: "instance.list"
        }
    }

    /// Whether the command acts on one instance (so takes `"instance"`); the others act on the
    /// daemon or the connection, and an `instance` field on them is an error, not ignored.
    public var isInstanceScoped: Bool {
        switch self {
        case .ping, .version, .subscribe, .unsubscribe, .instanceAdd, .instanceRemove, .instanceList, .rate: false
        default: true
        }
    }

    /// The request fields after `cmd`, as a client sends them.
    var arguments: [(String, JSONValue?)] {
        func topicList(_ topics: Set<Topic>) -> JSONValue { .array(topics.sorted().map { .string($0.rawValue) }) }
        switch self {
        case .ping: return [("cmd", "ping")]
        case .version: return [("cmd", "version")]
        case .status: return [("cmd", "status")]
        case let .get(parameter): return [("cmd", "get"), ("param", parameter.map { .string($0.name) })]
        case let .set(parameter, value): return [("cmd", "set"), ("param", .string(parameter.name)), ("value", value.json)]
        case .presetList: return [("cmd", "preset"), ("action", "list")]
        case let .presetLoad(name): return [("cmd", "preset"), ("action", "load"), ("name", .string(name))]
        case let .presetSave(name): return [("cmd", "preset"), ("action", "save"), ("name", .string(name))]
        case let .modelLoad(path): return [("cmd", "model"), ("action", "load"), ("path", .string(path))]
        case .panic: return [("cmd", "panic")]
        case .pause: return [("cmd", "pause")]
        case .resume: return [("cmd", "resume")]
        case let .capture(path, bars): return [("cmd", "capture"), ("path", path.map { .string($0) }), ("bars", .int(bars))]
        case .performerReset: return [("cmd", "performer"), ("action", "reset")]
        case let .rate(path, rating): return [("cmd", "rate"), ("path", .string(path)), ("rating", .string(rating))]
        case let .subscribe(topics): return [("cmd", "subscribe"), ("topics", topicList(topics))]
        case let .unsubscribe(topics): return [("cmd", "unsubscribe"), ("topics", topicList(topics))]
        case let .instanceAdd(name, preset):
            return [("cmd", "instance"), ("action", "add"), ("name", .string(name)), ("preset", preset.map { .string($0) })]
        case let .instanceRemove(name): return [("cmd", "instance"), ("action", "remove"), ("name", .string(name))]
        case .instanceList: return [("cmd", "instance"), ("action", "list")]
        }
    }
}
