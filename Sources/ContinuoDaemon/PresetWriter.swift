import Foundation

/// Writes a preset back as TOML that `PresetLoader` reads (for `preset save`).
enum PresetWriter {
    static func toml(_ p: Preset) -> String {
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        func list(_ a: [String]) -> String { "[" + a.map(q).joined(separator: ", ") + "]" }
        var lines = [
            "# Saved by continuo (preset save).",
            "name = \(q(p.name))",
            "description = \(q(p.description))",
            "model = \(q(p.model))",
            "",
            "[engine]",
            "mode = \(q(p.engine.mode))",
            "tempo_source = \(q(p.engine.tempoSource))",
            "bpm = \(p.engine.bpm)",
            "silence_beats = \(p.engine.silenceBeats)",
            "response_beats = \(p.engine.responseBeats)",
            "density = \(p.engine.density)",
            "window_events = \(p.engine.windowEvents)",
            "quantize = \(q(p.engine.quantize))",
            "max_note_beats = \(p.engine.maxNoteBeats)",
            "input_channel = \(p.engine.inputChannel)",
            "output_channel = \(p.engine.outputChannel)",
            "effect_through = \(p.engine.effectThrough)",
            "lookahead_periods = \(p.engine.lookaheadPeriods)",
            "",
            "[sampler]",
            "temperature = \(p.sampler.temperature)",
            "top_k = \(p.sampler.topK)",
            "top_p = \(p.sampler.topP)",
            "repetition_penalty = \(p.sampler.repetitionPenalty)",
            "no_repeat_ngram = \(p.sampler.noRepeatNgram)",
            "max_polyphony = \(p.sampler.maxPolyphony)",
        ]
        if let scale = p.sampler.scale { lines.append("scale = \(q(scale))") }
        if let range = p.sampler.pitchRange { lines.append("pitch_range = [\(range[0]), \(range[1])]") }
        lines += ["", "[jack]", "client_name = \(q(p.jack.clientName))", "input_port = \(q(p.jack.inputPort))",
                  "output_port = \(q(p.jack.outputPort))", "connect_input = \(list(p.jack.connectInput))",
                  "connect_output = \(list(p.jack.connectOutput))", "", "[cc]"]
        if let n = p.cc.temperature { lines.append("temperature = \(n)") }
        if let n = p.cc.density { lines.append("density = \(n)") }
        if let n = p.cc.mode { lines.append("mode = \(n)") }
        if let n = p.cc.onOff { lines.append("on_off = \(n)") }
        return lines.joined(separator: "\n") + "\n"
    }
}
