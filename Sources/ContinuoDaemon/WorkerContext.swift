import ContinuoEngine
import ContinuoJACK
import ContinuoMIDI
import ContinuoModel
import ContinuoFiles
import ContinuoProtocol
import ContinuoSampling
import Foundation

/// What a control command may touch, on the worker thread, between two engine steps: so a
/// `set` takes effect from the next generated event and nothing races the engine.
final class WorkerContext {
    let instance: Instance
    let engine: Engine
    let session: (any MIDISession)?
    let now: Int64

    init(instance: Instance, engine: Engine, session: (any MIDISession)?, now: Int64) {
        self.instance = instance
        self.engine = engine
        self.session = session
        self.now = now
    }

    func perform(_ command: Command) -> Result<JSONValue, ProtocolError> {
        switch command {
        case .status:
            return .success(status())
        case let .get(parameter?):
            return .success(["param": .string(parameter.name), "value": value(of: parameter)])
        case .get(nil):
            return .success(["params": .object(Dictionary(uniqueKeysWithValues: Parameter.allCases.map { ($0.name, value(of: $0)) }))])
        case let .set(parameter, value):
            set(parameter, value)
            instance.publish(.param(parameter, value))
            if parameter == .mode { publishMode() }
            return .success(["param": .string(parameter.name), "value": value.json])
        case let .presetSave(name):
            return savePreset(name)
        case .panic:
            guard let session, !session.isGone else {
                return .failure(ProtocolError(.jackUnavailable, "not connected to JACK or ALSA: nothing is sounding"))
            }
            instance.applyOutput(engine.panic(at: now), now: now)
            session.scheduler.panic()
            instance.log.info("panic: all notes off")
            return .success(.null)
        case .pause:
            engine.pause()
            instance.applyOutput(engine.advance(to: now), now: now)
            publishMode()
            return .success(["paused": true])
        case .resume:
            engine.resume()
            publishMode()
            return .success(["paused": false])
        case let .capture(path, bars):
            return capture(path: path, bars: bars)
        case .performerReset:
            let forgotten = engine.status.listening.performerNotes
            engine.resetListening()
            instance.publishListening(engine)
            instance.log.info("performer model reset: \(forgotten) notes forgotten")
            return .success(["forgotten_notes": .int(forgotten)])
        default:
            return .failure(ProtocolError(.internalError, "\(command.name) is not handled by the worker"))
        }
    }

    func apply(preset: Preset) -> Result<JSONValue, ProtocolError> {
        let rate = session?.sampleRate ?? Int(engine.configuration.sampleRate)
        let period = session?.bufferSize ?? 128
        engine.set(configuration: preset.engineConfiguration(sampleRate: rate, bufferSize: period))
        instance.applyOutput(engine.advance(to: now), now: now)
        instance.currentPreset = preset
        instance.log.info("preset '\(preset.name)' loaded: mode \(preset.values.choice(.mode))")
        publishMode()
        return .success(["preset": .string(preset.name)])
    }

    func swap(_ inference: LSTMInference, path: String) -> Result<JSONValue, ProtocolError> {
        engine.swapModel(inference)
        instance.applyOutput(engine.advance(to: now), now: now)
        instance.modelPath = path
        instance.log.info("model swapped: \(path)")
        instance.publish(.model(path: path))
        return .success(["model": .string(path)])
    }

    private func publishMode() {
        let status = engine.status
        instance.publish(.mode(status.mode.rawValue, paused: status.paused))
        instance.updateSummary(mode: status.mode.rawValue, paused: status.paused)
    }

    func value(of parameter: Parameter) -> JSONValue { engine.value(of: parameter).json }

    /// A validated value, applied between two engine steps; what it ends (machine notes, on a
    /// new configuration) goes out at once.
    private func set(_ parameter: Parameter, _ value: ParameterValue) {
        engine.set(parameter, value)
        instance.applyOutput(engine.advance(to: now), now: now)
    }

    private func status() -> JSONValue {
        let s = engine.status
        let report = instance.report
        // The running backend's fields under its name; `jack` is always there (running or not).
        var jack: [String: JSONValue] = ["running": false]
        var alsa: JSONValue? = nil
        switch session?.backend {
        case .jack?: jack = session?.statusFields() ?? jack
        case .alsa?: alsa = .object(session?.statusFields() ?? [:])
        default: break
        }
        if let server = instance.options.jackServer { jack["server"] = .string(server) }
        let latency = instance.latencySummary()
        return [
            "instance": .string(instance.name),
            "mode": .string(s.mode.rawValue),
            "paused": .bool(s.paused),
            "preset": .string(instance.currentPreset.name),
            "model": .string(instance.modelPath),
            "tempo": Self.tempoStatus(s, source: engine.configuration.tempoSource.rawValue),
            "listening": Self.listeningStatus(s.listening),
            "params": .object(Dictionary(uniqueKeysWithValues: Parameter.allCases.map { ($0.name, value(of: $0)) })),
            "backend": .string(session?.backend.rawValue ?? instance.options.chosenBackend.rawValue),
            "jack": .object(jack),
            "alsa": alsa ?? .null,
            "counters": ["events_in": .int(report.inputs), "events_out": .int(report.written), "generated": .int(s.counters.generatedEvents),
                         "xruns": .int(session?.xrunCount ?? report.xruns), "dropped_in": .int(report.droppedInputs),
                         "dropped_out": .int(report.droppedOutputs), "late_out": .int(report.lateOutputs),
                         "rollbacks": .int(s.counters.rollbacks), "reprimes": .int(s.counters.reprimes)],
            "latency_frames": latency,
        ]
    }

    static func tempoStatus(_ s: EngineStatus, source: String) -> JSONValue {
        func rounded(_ x: Double, _ digits: Double) -> JSONValue { .double((x * digits).rounded() / digits) }
        let l = s.listening
        return ["bpm": rounded(s.bpm, 100), "source": .string(source), "following": .bool(l.following),
                "heard_bpm": l.heardBPM.map { rounded($0, 100) } ?? .null, "confidence": rounded(l.tempoConfidence, 1000),
                "beat_phase": rounded(l.beatPhase, 1000)]
    }

    static func listeningStatus(_ l: EngineStatus.Listening) -> JSONValue {
        ["key": l.key.map { .string($0) } ?? .null, "key_confidence": .double((l.keyConfidence * 1000).rounded() / 1000),
         "chord": l.chord.map { .string($0) } ?? .null,
         "performer_notes": .int(l.performerNotes), "performer_capacity": .int(l.performerCapacity)]
    }

    private func savePreset(_ name: String) -> Result<JSONValue, ProtocolError> {
        var preset = instance.currentPreset.with(engine.configuration, bpm: engine.status.bpm)
        preset.name = name
        let path = PresetLoader.userPresetFolder() + "/\(name).toml"
        do {
            try FileManager.default.createDirectory(atPath: PresetLoader.userPresetFolder(), withIntermediateDirectories: true)
            try FileBytes.write(Array(PresetWriter.toml(preset).utf8), to: path)
        } catch {
            return .failure(ProtocolError(.ioError, "cannot write \(path): \(error)"))
        }
        return .success(["path": .string(path), "preset": .string(name)])
    }

    private func capture(path: String?, bars: Int) -> Result<JSONValue, ProtocolError> {
        let beatsPerBar = 4.0
        let framesPerBeat = engine.configuration.sampleRate * 60 / max(engine.status.bpm, 1)
        let since = now - Int64(Double(bars) * beatsPerBar * framesPerBeat)
        let events = instance.capture.events(since: since)
        let notes = events.filter { $0.bytes.isNoteOn }.count
        guard notes > 0 else { return .failure(ProtocolError(.invalidState, "nothing was played in the last \(bars) bars")) }
        let target = path ?? (PresetLoader.captureFolder() + "/" + Self.timestamp() + ".mid")
        let file = CaptureBuffer.midiFile(events, from: since, framesPerBeat: framesPerBeat, bpm: engine.status.bpm)
        do {
            let folder = (target as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try FileBytes.write(MIDIFileWriter.write(file), to: target)
        } catch {
            return .failure(ProtocolError(.ioError, "cannot write \(target): \(error)"))
        }
        // The performer model goes with the phrase: what the machine had learned of this player.
        let memory = target + ".performer.json"
        let learned = engine.performerNotes
        let sidecar: JSONValue = [
            "format": "continuo performer model 1",
            "tempo": Self.tempoStatus(engine.status, source: engine.configuration.tempoSource.rawValue),
            "listening": Self.listeningStatus(engine.status.listening),
            "notes": .array(learned.map { ["pitch": .int($0.pitch), "steps": .int($0.steps), "phrase_start": .bool($0.phraseStart)] }),
        ]
        do {
            try FileBytes.write(Array((sidecar.serialized() + "\n").utf8), to: memory)
        } catch {
            return .failure(ProtocolError(.ioError, "wrote \(target) but cannot write \(memory): \(error)"))
        }
        instance.log.info("captured \(bars) bars (\(notes) notes) to \(target), performer model (\(learned.count) notes) to \(memory)")
        return .success(["bars": .int(bars), "notes": .int(notes), "path": .string(target),
                         "performer_model": .string(memory), "performer_notes": .int(learned.count)])
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd-HHmmss"
        return formatter.string(from: Date())
    }
}
