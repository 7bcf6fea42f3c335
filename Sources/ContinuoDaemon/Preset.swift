import ContinuoEngine
import ContinuoProtocol
import ContinuoSampling
import Foundation
import TOMLKit

/// A preset: everything a performer sets up before a set, read from `presets/NAME.toml`.
/// Every key is optional; what is left out keeps its default. The `[engine]` and `[sampler]`
/// keys are the parameter table's (`Parameter`), so a preset, `ctl set` and a knob say the same
/// thing the same way.
public struct Preset: Sendable, Equatable {
    public struct Jack: Sendable, Equatable {
        public var clientName = "continuo"
        public var inputPort = "midi_in"
        public var outputPort = "midi_out"
        public var connectInput: [String] = []
        public var connectOutput: [String] = []
    }

    /// `[alsa]`: sequencer ports to connect, by a substring of "client:port" names (as
    /// `aconnect -l` shows them) or "client:port" numbers. The client and port names are `[jack]`'s.
    public struct ALSA: Sendable, Equatable {
        public var connectInput: [String] = []
        public var connectOutput: [String] = []
    }

    public var name = "default"
    public var description = ""
    /// "default" (the bundled model) or a path, relative to the preset file.
    public var model = "default"
    /// `[engine]` and `[sampler]`.
    public var values = ParameterValues()
    /// `[sampler] scale`, e.g. "D dorian": structured, so not a live parameter.
    public var scale: String?
    /// `[sampler] pitch_range = [low, high]`.
    public var pitchRange: ClosedRange<Int>?
    /// `backend`: "jack", "alsa" or "auto" (JACK when a server runs, else ALSA).
    public var backend = Backend.auto
    public var jack = Jack()
    public var alsa = ALSA()
    /// `[web] address`: serve the performer's page there ("127.0.0.1:8750"); nil: no page.
    public var webAddress: String?
    /// `[cc]`: controller numbers (0...127) for the knobs a performer can turn, by parameter
    /// name (or `on_off`).
    public var controls: [CCTarget: Int] = [:]

    public init() {}

    /// The keys of `[sampler]` besides the table's.
    static let structuredSamplerKeys = ["scale", "pitch_range"]

    /// The engine's configuration for this preset at the host's rate and period.
    public func engineConfiguration(sampleRate: Int, bufferSize: Int, styleSlot: Int? = nil) -> EngineConfiguration {
        var c = EngineConfiguration(values: values, sampleRate: Double(sampleRate), periodFrames: bufferSize)
        c.style = styleSlot
        c.sampler.scale = scale.flatMap { Scale(parsing: $0) }
        c.sampler.pitchRange = pitchRange
        c.sampler.allowEnd = false
        c.controls = controls.sorted { $0.value < $1.value }.map { CCBinding(controller: UInt8($0.value), parameter: $0.key) }
        return c
    }

    /// The preset with the values an engine runs with now (for `preset save`).
    public func with(_ configuration: EngineConfiguration, bpm: Double) -> Preset {
        var preset = self
        preset.values = configuration.values
        preset.values[.bpm] = .real(bpm)
        return preset
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
