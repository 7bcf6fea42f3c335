/// The user-facing knobs of a sampler, as the CLI and daemon take them. Defaults are neutral
/// except for note hygiene, which is always on. Decoding fills missing keys with defaults, so
/// `{"temperature": 0.8}` is a complete settings file.
public struct SamplerSettings: Codable, Sendable, Hashable {
    public var temperature: Float = 1.0
    public var topK: Int = 0
    public var topP: Float = 1.0
    public var repetitionPenalty: Float = 1.0
    /// Note-ons the repetition penalty looks back over.
    public var repetitionWindow: Int = 32
    /// n of the no-repeat n-gram ban; 0 is off.
    public var noRepeatNGram: Int = 0
    /// Tokens the no-repeat n-gram ban looks back over.
    public var noRepeatWindow: Int = 256
    public var pitchRange: ClosedRange<Int>? = nil
    public var scale: Scale? = nil
    /// 0 is off.
    public var maxPolyphony: Int = 0
    /// Longest note in grid steps (12 a beat); 0 is off.
    public var maxNoteSteps: Int = 0
    public var allowEnd: Bool = true

    public init(temperature: Float = 1.0, topK: Int = 0, topP: Float = 1.0,
                repetitionPenalty: Float = 1.0, repetitionWindow: Int = 32,
                noRepeatNGram: Int = 0, noRepeatWindow: Int = 256,
                pitchRange: ClosedRange<Int>? = nil, scale: Scale? = nil,
                maxPolyphony: Int = 0, maxNoteSteps: Int = 0, allowEnd: Bool = true) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.repetitionPenalty = repetitionPenalty
        self.repetitionWindow = repetitionWindow
        self.noRepeatNGram = noRepeatNGram
        self.noRepeatWindow = noRepeatWindow
        self.pitchRange = pitchRange
        self.scale = scale
        self.maxPolyphony = maxPolyphony
        self.maxNoteSteps = maxNoteSteps
        self.allowEnd = allowEnd
    }

    /// The chain these settings describe, neutral stages left out, in this order:
    ///
    /// 1. Masks: note hygiene, `END` ban, maximum note length, pitch range, scale, polyphony,
    ///    then the no-repeat n-gram ban. A mask that would leave nothing is skipped, so the order
    ///    is a priority: hygiene is never given up; the note-length limit comes before the other
    ///    musical masks because once a note is overdue it alone decides what may follow; the
    ///    n-gram ban is a preference and goes last.
    /// 2. The repetition penalty, on raw logits as in llama.cpp, so temperature scales it too.
    /// 3. Temperature, then top-k and top-p on the tempered distribution.
    public var stages: [SamplerStage] {
        var stages: [SamplerStage] = [.noteHygiene]
        if !allowEnd { stages.append(.banEnd) }
        let candidates: [SamplerStage] = [
            .maxNoteLength(steps: maxNoteSteps),
            .pitchRange(low: pitchRange?.lowerBound ?? 0, high: pitchRange?.upperBound ?? 127),
            .scale(root: scale?.root ?? 0, kind: scale?.kind ?? .chromatic),
            .maxPolyphony(maxPolyphony),
            .noRepeatNGram(n: noRepeatNGram, window: noRepeatWindow),
            .repetitionPenalty(penalty: repetitionPenalty, window: repetitionWindow),
            .temperature(temperature),
            .topK(topK),
            .topP(topP),
        ]
        stages.append(contentsOf: candidates.filter { !$0.isNeutral })
        return stages
    }

    private enum CodingKeys: String, CodingKey {
        case temperature, topK, topP, repetitionPenalty, repetitionWindow, noRepeatNGram, noRepeatWindow
        case pitchRange, scale, maxPolyphony, maxNoteSteps, allowEnd
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SamplerSettings()
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature) ?? d.temperature
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? d.topK
        topP = try c.decodeIfPresent(Float.self, forKey: .topP) ?? d.topP
        repetitionPenalty = try c.decodeIfPresent(Float.self, forKey: .repetitionPenalty) ?? d.repetitionPenalty
        repetitionWindow = try c.decodeIfPresent(Int.self, forKey: .repetitionWindow) ?? d.repetitionWindow
        noRepeatNGram = try c.decodeIfPresent(Int.self, forKey: .noRepeatNGram) ?? d.noRepeatNGram
        noRepeatWindow = try c.decodeIfPresent(Int.self, forKey: .noRepeatWindow) ?? d.noRepeatWindow
        pitchRange = try c.decodeIfPresent(ClosedRange<Int>.self, forKey: .pitchRange)
        scale = try c.decodeIfPresent(Scale.self, forKey: .scale)
        maxPolyphony = try c.decodeIfPresent(Int.self, forKey: .maxPolyphony) ?? d.maxPolyphony
        maxNoteSteps = try c.decodeIfPresent(Int.self, forKey: .maxNoteSteps) ?? d.maxNoteSteps
        allowEnd = try c.decodeIfPresent(Bool.self, forKey: .allowEnd) ?? d.allowEnd
    }
}
