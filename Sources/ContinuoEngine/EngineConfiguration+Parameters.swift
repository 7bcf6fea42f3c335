import ContinuoParameters

/// The parameter table mapped onto the engine's configuration: the one place that knows which
/// field each parameter is, used by presets, `set`/`get`, the CC map and every backend.
extension EngineConfiguration {
    /// A configuration from a full set of parameter values, at the host's rate and period.
    public init(values: ParameterValues, sampleRate: Double, periodFrames: Int) {
        self.init()
        self.sampleRate = sampleRate
        self.periodFrames = Int64(periodFrames)
        responseDelayFrames = Int64(periodFrames)
        throughDelayFrames = Int64(periodFrames)
        for parameter in Parameter.allCases { apply(parameter, values[parameter]) }
    }

    /// Sets one parameter; a value the table does not accept is ignored (callers validate first).
    public mutating func apply(_ parameter: Parameter, _ value: ParameterValue) {
        guard parameter.accepts(value) else { return }
        let number = value.doubleValue ?? 0
        let integer = value.intValue ?? 0
        let text = value.stringValue ?? ""
        switch parameter {
        case .mode: mode = EngineMode(rawValue: text) ?? mode
        case .tempoSource: tempoSource = TempoSource(rawValue: text) ?? tempoSource
        case .bpm: bpm = number
        case .silenceBeats: silenceBeats = number
        case .responseBeats: responseBeats = number
        case .density: density = number
        case .windowEvents: windowEvents = integer
        case .quantize:
            let grid = Parameter.grids.first { $0.key == text }?.value ?? 0
            quantizeGrid = grid == 0 ? nil : grid
        case .maxNoteBeats: maxNoteBeats = number
        case .inputChannel: inputChannel = integer == 0 ? nil : UInt8(integer - 1)
        case .outputChannel: outputChannel = UInt8(integer - 1)
        case .effectThrough: effectThrough = value.boolValue ?? effectThrough
        case .lookaheadPeriods: lookaheadFrames = Int64(integer) * max(1, periodFrames)
        case .transpose: transpose = integer
        case .follow: follow = number
        case .keyStrength: keyStrength = number
        case .harmonyStrength: harmonyStrength = number
        case .temperature: sampler.temperature = Float(number)
        case .topK: sampler.topK = integer
        case .topP: sampler.topP = Float(number)
        case .repetitionPenalty: sampler.repetitionPenalty = Float(number)
        case .noRepeatNgram: sampler.noRepeatNGram = integer
        case .maxPolyphony: sampler.maxPolyphony = integer
        }
    }

    /// The value in effect, as the table spells it.
    public func value(of parameter: Parameter) -> ParameterValue {
        // Sampler knobs are Float inside; show them as the decimal that was set.
        func decimal(_ f: Float) -> ParameterValue { .real((Double(f) * 1e6).rounded() / 1e6) }
        switch parameter {
        case .mode: return .choice(mode.rawValue)
        case .tempoSource: return .choice(tempoSource.rawValue)
        case .bpm: return .real(bpm)
        case .silenceBeats: return .real(silenceBeats)
        case .responseBeats: return .real(responseBeats)
        case .density: return .real(density)
        case .windowEvents: return .integer(windowEvents)
        case .quantize: return .choice(Parameter.grids.first { $0.value == (quantizeGrid ?? 0) }?.key ?? "off")
        case .maxNoteBeats: return .real(maxNoteBeats)
        case .inputChannel: return .integer(inputChannel.map { Int($0) + 1 } ?? 0)
        case .outputChannel: return .integer(Int(outputChannel) + 1)
        case .effectThrough: return .flag(effectThrough)
        case .lookaheadPeriods: return .integer(Int(max(1, lookaheadFrames / max(1, periodFrames))))
        case .transpose: return .integer(transpose)
        case .follow: return .real(follow)
        case .keyStrength: return .real(keyStrength)
        case .harmonyStrength: return .real(harmonyStrength)
        case .temperature: return decimal(sampler.temperature)
        case .topK: return .integer(sampler.topK)
        case .topP: return decimal(sampler.topP)
        case .repetitionPenalty: return decimal(sampler.repetitionPenalty)
        case .noRepeatNgram: return .integer(sampler.noRepeatNGram)
        case .maxPolyphony: return .integer(sampler.maxPolyphony)
        }
    }

    /// Every parameter's value in effect.
    public var values: ParameterValues {
        var values = ParameterValues()
        for parameter in Parameter.allCases { values[parameter] = value(of: parameter) }
        return values
    }
}
