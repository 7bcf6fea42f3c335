/// Every live parameter `get`/`set` can reach, with its wire name, type, range, unit and
/// meaning. A `set` takes effect from the next generated event. Names and choices are the
/// preset (TOML) spellings, so a preset and the protocol say the same thing the same way.
public enum Parameter: String, CaseIterable, Sendable, Hashable, Codable {
    case temperature
    case topK = "top_k"
    case topP = "top_p"
    case repetitionPenalty = "repetition_penalty"
    case mode
    case density
    case responseBeats = "response_beats"
    case silenceBeats = "silence_beats"
    case outputChannel = "output_channel"
    case inputChannel = "input_channel"
    case transpose
    case tempoSource = "tempo_source"
    case bpm
    case windowEvents = "window_events"

    public static let modes = ["call-response", "accompany", "effect", "off"]
    public static let tempoSources = ["fixed", "midi-clock", "transport"]

    /// The wire name.
    public var name: String { rawValue }

    public var domain: ParameterDomain {
        switch self {
        case .temperature: .real(0...5)
        case .topK: .integer(0...355)
        case .topP: .real(0.01...1)
        case .repetitionPenalty: .real(0.5...3)
        case .mode: .choice(Self.modes)
        case .density: .real(0...1)
        case .responseBeats: .real(0.25...256)
        case .silenceBeats: .real(0.05...64)
        case .outputChannel: .integer(1...16)
        case .inputChannel: .integer(0...16)
        case .transpose: .integer(-24...24)
        case .tempoSource: .choice(Self.tempoSources)
        case .bpm: .real(20...400)
        case .windowEvents: .integer(16...4096)
        }
    }

    /// The unit of the value, if it has one.
    public var unit: String? {
        switch self {
        case .responseBeats, .silenceBeats: "beats"
        case .transpose: "semitones"
        case .bpm: "beats per minute"
        case .windowEvents: "events"
        default: nil
        }
    }

    public var summary: String {
        switch self {
        case .temperature: "Sampling temperature: 0 always picks the likeliest event, higher is wilder."
        case .topK: "Sample only among the k likeliest events; 0 turns the filter off."
        case .topP: "Sample only among the likeliest events whose probabilities add up to p; 1 turns the filter off."
        case .repetitionPenalty: "Divides the odds of recently generated pitches; 1 turns it off, below 1 favours repetition."
        case .mode: "What the machine does: answer after silence, play along, act as a MIDI effect, or stay silent."
        case .density: "Fraction of generated notes that are played (the rest are thinned out)."
        case .responseBeats: "How long an answer lasts in call-response mode."
        case .silenceBeats: "How long the performer must be silent before the machine answers (call-response)."
        case .outputChannel: "MIDI channel the machine plays on."
        case .inputChannel: "MIDI channel the machine listens to; 0 listens to all (omni)."
        case .transpose: "Shifts generated notes."
        case .tempoSource: "Where the tempo comes from: `bpm`, incoming MIDI clock, or JACK transport."
        case .bpm: "Tempo when `tempo_source` is `fixed` (and the fallback until clock or transport is heard)."
        case .windowEvents: "How many past events the model sees (its context window)."
        }
    }

    /// Validates a value from a request: `wrong_type` for the wrong JSON type, `out_of_range`
    /// outside the range or choices. Messages name the parameter and what is allowed.
    public func validate(_ value: JSONValue) -> Result<ParameterValue, ProtocolError> {
        let domain = domain
        switch domain {
        case let .real(range):
            guard let number = value.doubleValue else { return .failure(wrongType(value)) }
            guard range.contains(number) else { return .failure(outOfRange(value)) }
            return .success(.real(number))
        case let .integer(range):
            guard let number = value.intValue else {
                // 2.5 for a channel is a type error; 1e300 is an integer that is merely too big.
                if let real = value.doubleValue, real.rounded() == real { return .failure(outOfRange(value)) }
                return .failure(wrongType(value))
            }
            guard range.contains(number) else { return .failure(outOfRange(value)) }
            return .success(.integer(number))
        case let .choice(choices):
            guard let text = value.stringValue else { return .failure(wrongType(value)) }
            guard choices.contains(text) else { return .failure(outOfRange(value)) }
            return .success(.choice(text))
        }
    }

    private func wrongType(_ value: JSONValue) -> ProtocolError {
        ProtocolError(.wrongType, "\(name) must be \(domain.typeDescription), got \(value.typeName)", details: details)
    }

    private func outOfRange(_ value: JSONValue) -> ProtocolError {
        ProtocolError(.outOfRange, "\(name) must be \(domain.allowedDescription), got \(value.serialized().prefix(64))", details: details)
    }

    /// Machine-readable bounds for error replies and UIs:
    /// `{"parameter":"temperature","type":"number","min":0,"max":5}`.
    public var details: JSONValue {
        var members: [String: JSONValue] = ["parameter": .string(name), "type": .string(domain.typeName)]
        switch domain {
        case let .real(range):
            members["min"] = .double(range.lowerBound)
            members["max"] = .double(range.upperBound)
        case let .integer(range):
            members["min"] = .int(range.lowerBound)
            members["max"] = .int(range.upperBound)
        case let .choice(choices):
            members["choices"] = .array(choices.map { .string($0) })
        }
        if let unit { members["unit"] = .string(unit) }
        return .object(members)
    }
}

/// What values a parameter accepts.
public enum ParameterDomain: Sendable, Hashable {
    case real(ClosedRange<Double>)
    case integer(ClosedRange<Int>)
    case choice([String])

    /// The JSON type: "number", "integer" or "string".
    public var typeName: String {
        switch self {
        case .real: "number"
        case .integer: "integer"
        case .choice: "string"
        }
    }

    var typeDescription: String {
        switch self {
        case .real: "a number"
        case .integer: "an integer"
        case .choice: "a string"
        }
    }

    /// "0...5", "one of fixed, midi-clock, transport".
    public var allowedDescription: String {
        switch self {
        case let .real(range): "in \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))"
        case let .integer(range): "in \(range.lowerBound)...\(range.upperBound)"
        case let .choice(choices): "one of " + choices.joined(separator: ", ")
        }
    }

    /// 5 rather than 5.0, 0.01 as is.
    static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : "\(number)"
    }
}

/// A validated parameter value.
public enum ParameterValue: Sendable, Hashable {
    case real(Double)
    case integer(Int)
    case choice(String)

    public var json: JSONValue {
        switch self {
        case let .real(number): .double(number)
        case let .integer(number): .int(number)
        case let .choice(text): .string(text)
        }
    }

    /// The value as a Double (integers convert); nil for a choice.
    public var doubleValue: Double? {
        switch self {
        case let .real(number): number
        case let .integer(number): Double(number)
        case .choice: nil
        }
    }

    public var intValue: Int? {
        if case let .integer(number) = self { return number }
        return nil
    }

    public var stringValue: String? {
        if case let .choice(text) = self { return text }
        return nil
    }
}

extension Parameter {
    /// The parameter table of docs/protocol.md, generated so the docs cannot drift.
    public static var markdownTable: String {
        var lines = ["| param | type | range or choices | unit | meaning |", "|-------|------|------------------|------|---------|"]
        for parameter in allCases {
            let allowed: String
            switch parameter.domain {
            case let .real(range): allowed = "\(ParameterDomain.format(range.lowerBound)) … \(ParameterDomain.format(range.upperBound))"
            case let .integer(range): allowed = "\(range.lowerBound) … \(range.upperBound)"
            case let .choice(choices): allowed = choices.map { "`\($0)`" }.joined(separator: ", ")
            }
            lines.append("| `\(parameter.name)` | \(parameter.domain.typeName) | \(allowed) | \(parameter.unit ?? "") | \(parameter.summary) |")
        }
        return lines.joined(separator: "\n")
    }
}
