import ContinuoSampling
import Foundation
import TOMLKit

/// A preset: everything a performer sets up before a set, read from `presets/NAME.toml`.
/// Every key is optional; what is left out keeps its default (see docs in presets/*.toml).
public struct Preset: Sendable, Equatable {
    public struct Engine: Sendable, Equatable {
        public var mode = "call-response"
        public var tempoSource = "fixed"
        public var bpm = 100.0
        public var silenceBeats = 1.0
        public var responseBeats = 8.0
        public var density = 1.0
        public var windowEvents = 256
        public var quantize = "off"
        public var maxNoteBeats = 4.0
        /// 1...16, or 0 for any channel.
        public var inputChannel = 0
        /// 1...16.
        public var outputChannel = 1
        public var effectThrough = true
        public var lookaheadPeriods = 2
    }

    public struct Sampler: Sendable, Equatable {
        public var temperature = 1.0
        public var topK = 0
        public var topP = 1.0
        public var repetitionPenalty = 1.0
        public var noRepeatNgram = 0
        public var scale: String?
        public var pitchRange: [Int]?
        public var maxPolyphony = 0
    }

    public struct Jack: Sendable, Equatable {
        public var clientName = "continuo"
        public var inputPort = "midi_in"
        public var outputPort = "midi_out"
        public var connectInput: [String] = []
        public var connectOutput: [String] = []
    }

    /// Controller numbers (0...127) for the knobs a performer can turn.
    public struct ControlMap: Sendable, Equatable {
        public var temperature: Int?
        public var density: Int?
        public var mode: Int?
        public var onOff: Int?
    }

    public var name = "default"
    public var description = ""
    /// "default" (the bundled model) or a path, relative to the preset file.
    public var model = "default"
    public var engine = Engine()
    public var sampler = Sampler()
    public var jack = Jack()
    public var cc = ControlMap()

    public init() {}

    public static let modes = ["call-response", "accompany", "effect", "off"]
    public static let tempoSources = ["fixed", "midi-clock", "transport"]
    public static let grids = ["off": 0, "beat": 12, "8th": 6, "8th-triplet": 4, "16th": 3, "16th-triplet": 2]

    public var samplerSettings: SamplerSettings {
        var s = SamplerSettings()
        s.temperature = Float(sampler.temperature)
        s.topK = sampler.topK
        s.topP = Float(sampler.topP)
        s.repetitionPenalty = Float(sampler.repetitionPenalty)
        s.noRepeatNGram = sampler.noRepeatNgram
        s.scale = sampler.scale.flatMap { Scale(parsing: $0) }
        if let range = sampler.pitchRange, range.count == 2 { s.pitchRange = range[0]...range[1] }
        s.maxPolyphony = sampler.maxPolyphony
        s.allowEnd = false
        return s
    }
}

/// A preset file that cannot be used, with the key and line to fix.
public struct PresetError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var key: String?
    public var line: Int?
    public var message: String

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let key { place += " [\(key)]" }
        return "\(place): \(message)"
    }
}
