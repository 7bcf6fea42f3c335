import ContinuoParameters
import ContinuoSampling

/// Everything the engine is set up with; a preset maps onto it. Decoding fills missing keys
/// with the defaults, so a partial JSON object is a complete configuration.
public struct EngineConfiguration: Codable, Sendable, Hashable {
    public var sampleRate: Double = 48_000
    public var mode: EngineMode = .callResponse
    public var tempoSource: TempoSource = .fixed
    /// The fixed tempo, and the fallback until clock or transport says otherwise.
    public var bpm: Double = 120
    /// Only performer notes on this 0-based channel feed the model; nil is omni.
    public var inputChannel: UInt8? = nil
    /// 0-based channel of generated notes.
    public var outputChannel: UInt8 = 1
    /// Effect mode passes input through.
    public var effectThrough: Bool = true
    /// Pass-through leaves this many frames after its input: a constant latency (the daemon uses
    /// one period and reports it to JACK), so the performer's timing is kept however late the
    /// worker hears of an event.
    public var throughDelayFrames: Int64 = 0
    /// Call-response answers after this many beats without a performer note event.
    public var silenceBeats: Double = 1
    /// Length of an answer in beats (of model time).
    public var responseBeats: Double = 8
    /// Accompany stops playing after the performer has been silent this many beats.
    public var accompanyIdleBeats: Double = 8
    /// 0...1, how much the machine plays. Generating modes multiply the odds of every note-on by
    /// it (a logit bias of ln(density)); 1 leaves the model as it is and 0 plays no new notes.
    /// Effect mode answers each performer note-on with probability `density`.
    public var density: Double = 1
    /// Frames of the host's period (a JACK period, an LV2 run): what `lookahead_periods` counts in.
    public var periodFrames: Int64 = 128
    /// Semitones added to the machine's notes on their way out (never to the performer's).
    public var transpose: Int = 0
    /// How far ahead of `now` generated events are released: the real-time side needs them
    /// before the cycle that plays them starts; more means more to drop on a barge-in.
    public var lookaheadFrames: Int64 = 256
    /// Sliding window of the model's history, in tokens.
    public var windowEvents: Int = 256
    /// Onset grid in steps of 1/12 beat (3 = 16ths); nil or 0 leaves onsets where the model puts them.
    public var quantizeGrid: Int? = nil
    /// No generated note lasts longer than this.
    public var maxNoteBeats: Double = 4
    /// Effect mode answers a note-on this many frames after it (one 128-frame period by default,
    /// the time the engine has to compute the answer).
    public var responseDelayFrames: Int64 = 128
    /// Generated notes per performer note-on in effect mode.
    public var effectVoices: Int = 1
    /// Conditioning style token (0...15) at the start of the model's history; nil for none.
    public var style: Int? = nil
    public var controls: [CCBinding] = []
    public var sampler = SamplerSettings()
    /// 0...1: weight of the performer model against the LSTM in the machine's next event.
    public var follow: Double = 0
    /// Log-odds an out-of-key note-on loses (key following); 0 is off.
    public var keyStrength: Double = 0
    /// Log-odds a tone of the performer's held chord gains in accompany; 0 is off.
    public var harmonyStrength: Double = 0

    public init() {}

    public init(mode: EngineMode, bpm: Double = 120, sampleRate: Double = 48_000) {
        self.mode = mode
        self.bpm = bpm
        self.sampleRate = sampleRate
    }

    /// Values clamped into the ranges the engine works with.
    var sanitized: EngineConfiguration {
        var c = self
        if !(c.sampleRate > 0) { c.sampleRate = 48_000 }
        if !(c.bpm > 0) { c.bpm = 120 }
        c.bpm = min(max(c.bpm, 10), 400)
        c.outputChannel &= 0x0F
        c.inputChannel = c.inputChannel.map { $0 & 0x0F }
        if !(c.density >= 0) { c.density = 0 }
        c.density = min(c.density, 1)
        c.silenceBeats = max(c.silenceBeats.isFinite ? c.silenceBeats : 1, 1.0 / 12)
        c.responseBeats = max(c.responseBeats.isFinite ? c.responseBeats : 8, 1.0 / 12)
        c.accompanyIdleBeats = max(c.accompanyIdleBeats.isFinite ? c.accompanyIdleBeats : 8, 1.0 / 12)
        c.maxNoteBeats = max(c.maxNoteBeats.isFinite ? c.maxNoteBeats : 4, 1.0 / 12)
        c.lookaheadFrames = max(1, c.lookaheadFrames)
        c.periodFrames = max(1, c.periodFrames)
        c.transpose = min(max(c.transpose, -127), 127)
        c.responseDelayFrames = max(0, c.responseDelayFrames)
        c.throughDelayFrames = max(0, c.throughDelayFrames)
        c.windowEvents = max(16, c.windowEvents)
        c.effectVoices = min(max(1, c.effectVoices), 8)
        if let grid = c.quantizeGrid, grid <= 0 { c.quantizeGrid = nil }
        c.follow = c.follow.isFinite ? min(max(c.follow, 0), 1) : 0
        c.keyStrength = c.keyStrength.isFinite ? min(max(c.keyStrength, 0), 8) : 0
        c.harmonyStrength = c.harmonyStrength.isFinite ? min(max(c.harmonyStrength, 0), 8) : 0
        return c
    }

    /// Longest generated note in grid steps.
    var maxNoteSteps: Int { max(1, Int((maxNoteBeats * Double(12)).rounded(.down))) }

    private enum CodingKeys: String, CodingKey {
        case sampleRate, periodFrames, transpose, mode, tempoSource, bpm, inputChannel, outputChannel, effectThrough, throughDelayFrames, silenceBeats
        case responseBeats, accompanyIdleBeats, density, lookaheadFrames, windowEvents, quantizeGrid
        case maxNoteBeats, responseDelayFrames, effectVoices, style, controls, sampler
        case follow, keyStrength, harmonyStrength
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EngineConfiguration()
        sampleRate = try c.decodeIfPresent(Double.self, forKey: .sampleRate) ?? d.sampleRate
        periodFrames = try c.decodeIfPresent(Int64.self, forKey: .periodFrames) ?? d.periodFrames
        transpose = try c.decodeIfPresent(Int.self, forKey: .transpose) ?? d.transpose
        mode = try c.decodeIfPresent(EngineMode.self, forKey: .mode) ?? d.mode
        tempoSource = try c.decodeIfPresent(TempoSource.self, forKey: .tempoSource) ?? d.tempoSource
        bpm = try c.decodeIfPresent(Double.self, forKey: .bpm) ?? d.bpm
        inputChannel = try c.decodeIfPresent(UInt8.self, forKey: .inputChannel)
        outputChannel = try c.decodeIfPresent(UInt8.self, forKey: .outputChannel) ?? d.outputChannel
        effectThrough = try c.decodeIfPresent(Bool.self, forKey: .effectThrough) ?? d.effectThrough
        throughDelayFrames = try c.decodeIfPresent(Int64.self, forKey: .throughDelayFrames) ?? d.throughDelayFrames
        silenceBeats = try c.decodeIfPresent(Double.self, forKey: .silenceBeats) ?? d.silenceBeats
        responseBeats = try c.decodeIfPresent(Double.self, forKey: .responseBeats) ?? d.responseBeats
        accompanyIdleBeats = try c.decodeIfPresent(Double.self, forKey: .accompanyIdleBeats) ?? d.accompanyIdleBeats
        density = try c.decodeIfPresent(Double.self, forKey: .density) ?? d.density
        lookaheadFrames = try c.decodeIfPresent(Int64.self, forKey: .lookaheadFrames) ?? d.lookaheadFrames
        windowEvents = try c.decodeIfPresent(Int.self, forKey: .windowEvents) ?? d.windowEvents
        quantizeGrid = try c.decodeIfPresent(Int.self, forKey: .quantizeGrid)
        maxNoteBeats = try c.decodeIfPresent(Double.self, forKey: .maxNoteBeats) ?? d.maxNoteBeats
        responseDelayFrames = try c.decodeIfPresent(Int64.self, forKey: .responseDelayFrames) ?? d.responseDelayFrames
        effectVoices = try c.decodeIfPresent(Int.self, forKey: .effectVoices) ?? d.effectVoices
        style = try c.decodeIfPresent(Int.self, forKey: .style)
        controls = try c.decodeIfPresent([CCBinding].self, forKey: .controls) ?? d.controls
        sampler = try c.decodeIfPresent(SamplerSettings.self, forKey: .sampler) ?? d.sampler
        follow = try c.decodeIfPresent(Double.self, forKey: .follow) ?? d.follow
        keyStrength = try c.decodeIfPresent(Double.self, forKey: .keyStrength) ?? d.keyStrength
        harmonyStrength = try c.decodeIfPresent(Double.self, forKey: .harmonyStrength) ?? d.harmonyStrength
        // A configuration file is held to the same ranges as a preset or a `set`.
        for parameter in Parameter.allCases where !parameter.accepts(value(of: parameter)) {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "\(parameter.name) must be \(parameter.domain.allowedDescription), got \(value(of: parameter))"))
        }
    }
}
