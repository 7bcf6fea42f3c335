/// Every setting a performer tunes, in one table: its name (the TOML key in its preset section,
/// and the protocol's wire name), what values it takes, its default, unit and meaning. The
/// protocol, presets (read and written), the CC map, `ctl`, the generated docs, and every other
/// way into the engine take them from here, so no two of them can disagree.
///
/// All of them are live: `set` changes them between two generated events.
public enum Parameter: String, CaseIterable, Sendable, Hashable, Codable {
    // [engine]
    case mode
    case tempoSource = "tempo_source"
    case bpm
    case silenceBeats = "silence_beats"
    case responseBeats = "response_beats"
    case density
    case windowEvents = "window_events"
    case quantize
    case maxNoteBeats = "max_note_beats"
    case inputChannel = "input_channel"
    case outputChannel = "output_channel"
    case effectThrough = "effect_through"
    case lookaheadPeriods = "lookahead_periods"
    case transpose
    case follow
    case keyStrength = "key_strength"
    case harmonyStrength = "harmony_strength"
    // [sampler]
    case temperature
    case topK = "top_k"
    case topP = "top_p"
    case repetitionPenalty = "repetition_penalty"
    case noRepeatNgram = "no_repeat_ngram"
    case maxPolyphony = "max_polyphony"

    /// The wire name, and the key in the preset section.
    public var name: String { rawValue }

    /// The preset table the key belongs to.
    public var section: Section {
        switch self {
        case .temperature, .topK, .topP, .repetitionPenalty, .noRepeatNgram, .maxPolyphony: .sampler
        default: .engine
        }
    }

    public enum Section: String, Sendable, CaseIterable {
        case engine, sampler
    }

    /// Modes in knob order: a controller's lowest quarter turns the machine off.
    public static let modes = ["off", "call-response", "accompany", "effect"]
    public static let tempoSources = ["fixed", "midi-clock", "transport", "follow"]
    /// Output grids in twelfths of a beat (0: off).
    public static let grids: KeyValuePairs<String, Int> = ["off": 0, "beat": 12, "8th": 6, "8th-triplet": 4, "16th": 3, "16th-triplet": 2]
    /// Tokens of the event vocabulary: the largest useful top-k (tied to ContinuoEncoding by a test).
    public static let vocabularySize = 355

    public var domain: ParameterDomain {
        switch self {
        case .mode: .choice(Self.modes)
        case .tempoSource: .choice(Self.tempoSources)
        case .bpm: .real(20...400)
        case .silenceBeats: .real(0.1...64)
        case .responseBeats: .real(0.25...256)
        case .density: .real(0...1)
        case .windowEvents: .integer(16...4096)
        case .quantize: .choice(Self.grids.map(\.key))
        case .maxNoteBeats: .real(0.1...64)
        case .inputChannel: .integer(0...16)
        case .outputChannel: .integer(1...16)
        case .effectThrough: .flag
        case .lookaheadPeriods: .integer(1...64)
        case .transpose: .integer(-24...24)
        case .follow: .real(0...1)
        case .keyStrength: .real(0...8)
        case .harmonyStrength: .real(0...8)
        case .temperature: .real(0...5)
        case .topK: .integer(0...Self.vocabularySize)
        case .topP: .real(0.01...1)
        case .repetitionPenalty: .real(0.5...3)
        case .noRepeatNgram: .integer(0...64)
        case .maxPolyphony: .integer(0...16)
        }
    }

    /// What a preset that leaves the key out gets.
    public var defaultValue: ParameterValue {
        switch self {
        case .mode: .choice("call-response")
        case .tempoSource: .choice("fixed")
        case .bpm: .real(100)
        case .silenceBeats: .real(1)
        case .responseBeats: .real(8)
        case .density: .real(1)
        case .windowEvents: .integer(256)
        case .quantize: .choice("off")
        case .maxNoteBeats: .real(4)
        case .inputChannel: .integer(0)
        case .outputChannel: .integer(1)
        case .effectThrough: .flag(true)
        case .lookaheadPeriods: .integer(2)
        case .transpose: .integer(0)
        case .follow: .real(0)
        case .keyStrength: .real(0)
        case .harmonyStrength: .real(0)
        case .temperature: .real(1)
        case .topK: .integer(0)
        case .topP: .real(1)
        case .repetitionPenalty: .real(1)
        case .noRepeatNgram: .integer(0)
        case .maxPolyphony: .integer(0)
        }
    }

    /// The part of the range a controller (a knob, an LV2 port's default handle, a web slider)
    /// sweeps, where the full range holds more than anyone plays with.
    public var knobRange: ClosedRange<Double>? {
        switch self {
        case .temperature: 0.1...2
        case .bpm: 40...240
        case .responseBeats: 1...32
        case .silenceBeats: 0.25...8
        case .windowEvents: 32...1024
        case .keyStrength, .harmonyStrength: 0...4
        default:
            switch domain {
            case let .real(range): range
            case let .integer(range): Double(range.lowerBound)...Double(range.upperBound)
            case .choice, .flag: nil
            }
        }
    }

    /// The unit of the value, if it has one.
    public var unit: String? {
        switch self {
        case .responseBeats, .silenceBeats, .maxNoteBeats: "beats"
        case .transpose: "semitones"
        case .bpm: "beats per minute"
        case .windowEvents: "events"
        case .lookaheadPeriods: "periods"
        case .keyStrength, .harmonyStrength: "nats"
        default: nil
        }
    }

    public var summary: String {
        switch self {
        case .mode: "What the machine does: stay silent, answer after silence, play along, or act as a MIDI effect."
        case .tempoSource: "Where the tempo comes from: `bpm`, incoming MIDI clock, the host's transport (JACK, a DAW), or `follow`: the beat heard in the performer's notes."
        case .bpm: "Tempo when `tempo_source` is `fixed` (and the fallback until clock or transport is heard, or while `follow` is unsure)."
        case .silenceBeats: "How long the performer must be silent before the machine answers (call-response)."
        case .responseBeats: "How long an answer lasts in call-response mode."
        case .density: "How much the machine plays: 1 as the model proposes, 0 no new notes."
        case .windowEvents: "How many past events the model sees (its context window)."
        case .quantize: "Grid the machine's onsets snap to."
        case .maxNoteBeats: "No machine note lasts longer."
        case .inputChannel: "MIDI channel the machine listens to; 0 listens to all (omni)."
        case .outputChannel: "MIDI channel the machine plays on."
        case .effectThrough: "In effect mode, the performer's own notes pass through."
        case .lookaheadPeriods: "How far ahead generated events are handed to the real-time side."
        case .transpose: "Shifts the machine's notes (never the performer's)."
        case .follow: "How much the machine quotes you: 0 the trained model alone, 1 only a model of what you played this set (your motifs, transposed and varied)."
        case .keyStrength: "Pull towards the key you play in: out-of-key notes lose this much log-odds; 0 turns it off."
        case .harmonyStrength: "Accompany: pull towards the chord you hold: its tones gain this much log-odds; 0 turns it off."
        case .temperature: "Sampling temperature: 0 always picks the likeliest event, higher is wilder."
        case .topK: "Sample only among the k likeliest events; 0 turns the filter off."
        case .topP: "Sample only among the likeliest events whose probabilities add up to p; 1 turns the filter off."
        case .repetitionPenalty: "Divides the odds of recently generated pitches; 1 turns it off, below 1 favours repetition."
        case .noRepeatNgram: "Forbids repeating any n-gram of recent events; 0 turns it off."
        case .maxPolyphony: "At most this many machine notes at once; 0 is no limit."
        }
    }

    /// `value` if this parameter accepts it (the right kind, inside the range or choices).
    public func accepts(_ value: ParameterValue) -> Bool {
        switch (domain, value) {
        case let (.real(range), .real(number)): range.contains(number)
        case let (.real(range), .integer(number)): range.contains(Double(number))
        case let (.integer(range), .integer(number)): range.contains(number)
        case let (.choice(choices), .choice(text)): choices.contains(text)
        case (.flag, .flag): true
        default: false
        }
    }

    /// The parameter's value for a controller position 0...127: linear over `knobRange`,
    /// equal slices of the choices, a switch at 64.
    public func value(forController position: UInt8) -> ParameterValue {
        let fraction = Double(min(position, 127)) / 127
        switch domain {
        case .real:
            let range = knobRange ?? 0...1
            return .real(range.lowerBound + fraction * (range.upperBound - range.lowerBound))
        case .integer:
            let range = knobRange ?? 0...1
            return .integer(Int((range.lowerBound + fraction * (range.upperBound - range.lowerBound)).rounded()))
        case let .choice(choices):
            return .choice(choices[min(choices.count - 1, Int(min(position, 127)) * choices.count / 128)])
        case .flag:
            return .flag(position >= 64)
        }
    }
}

extension Parameter {
    /// The value a plugin control port's number means (LV2 ports are floats): reals clamped,
    /// integers rounded, a choice by its index, a flag on at 0.5 and above.
    public func value(forControl number: Double) -> ParameterValue {
        switch domain {
        case let .real(range): return .real(min(max(number, range.lowerBound), range.upperBound))
        case let .integer(range): return .integer(min(max(Int(number.rounded()), range.lowerBound), range.upperBound))
        case let .choice(choices): return .choice(choices[min(max(Int(number.rounded()), 0), choices.count - 1)])
        case .flag: return .flag(number >= 0.5)
        }
    }

    /// The control port number that means `value` (the inverse of `value(forControl:)`).
    public func controlNumber(of value: ParameterValue) -> Double {
        switch (domain, value) {
        case let (.choice(choices), .choice(name)): return Double(choices.firstIndex(of: name) ?? 0)
        case let (_, .flag(on)): return on ? 1 : 0
        default: return value.doubleValue ?? 0
        }
    }

    /// The control port's range: the table's for numbers, indices for a choice, 0...1 for a flag.
    public var controlRange: ClosedRange<Double> {
        switch domain {
        case let .real(range): return range
        case let .integer(range): return Double(range.lowerBound)...Double(range.upperBound)
        case let .choice(choices): return 0...Double(choices.count - 1)
        case .flag: return 0...1
        }
    }
}
