import ContinuoEngine
import ContinuoSampling

extension Preset {
    /// The engine's configuration for this preset at the server's rate and period.
    func engineConfiguration(sampleRate: Int, bufferSize: Int, styleSlot: Int? = nil) -> EngineConfiguration {
        var c = EngineConfiguration()
        c.sampleRate = Double(sampleRate)
        c.mode = EngineMode(rawValue: engine.mode) ?? .callResponse
        c.tempoSource = TempoSource(rawValue: engine.tempoSource) ?? .fixed
        c.bpm = engine.bpm
        c.inputChannel = engine.inputChannel == 0 ? nil : UInt8(engine.inputChannel - 1)
        c.outputChannel = UInt8(engine.outputChannel - 1)
        c.effectThrough = engine.effectThrough
        // Pass-through and answers leave one period after their input: a constant latency,
        // reported to JACK.
        c.throughDelayFrames = Int64(bufferSize)
        c.silenceBeats = engine.silenceBeats
        c.responseBeats = engine.responseBeats
        c.density = engine.density
        c.lookaheadFrames = Int64(engine.lookaheadPeriods * bufferSize)
        c.windowEvents = engine.windowEvents
        let grid = Preset.grids[engine.quantize] ?? 0
        c.quantizeGrid = grid == 0 ? nil : grid
        c.maxNoteBeats = engine.maxNoteBeats
        c.responseDelayFrames = Int64(bufferSize)
        c.style = styleSlot
        var controls: [CCBinding] = []
        if let n = cc.temperature { controls.append(CCBinding(controller: UInt8(n), parameter: .temperature, channel: nil)) }
        if let n = cc.density { controls.append(CCBinding(controller: UInt8(n), parameter: .density, channel: nil)) }
        if let n = cc.mode { controls.append(CCBinding(controller: UInt8(n), parameter: .mode, channel: nil)) }
        if let n = cc.onOff { controls.append(CCBinding(controller: UInt8(n), parameter: .onOff, channel: nil)) }
        c.controls = controls
        c.sampler = samplerSettings
        return c
    }
}
