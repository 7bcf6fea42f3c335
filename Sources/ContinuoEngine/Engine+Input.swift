import ContinuoParameters
import ContinuoEncoding
import ContinuoMIDI

extension Engine {
    /// One MIDI message at `frame` (absolute frames, as the real-time side stamped it). Bound
    /// controllers act at once; notes enter the history and drive the mode; clock messages drive
    /// the tempo; in effect mode every other channel message is passed through. Pass-through and
    /// answers are queued for the next `advance(to:)`, which the daemon calls right after.
    /// Anything else (system common, sysex fragments) is ignored.
    public func receive(_ message: MIDIBytes, at frame: Int64) {
        guard !isShutDown else { return }
        guard message.isChannelVoice else {
            switch message.status {
            case MIDIBytes.clockTick.status: tempo.clockTick(at: frame)
            case MIDIBytes.clockStart.status: tempo.clockStart(at: frame)
            case MIDIBytes.clockStop.status: tempo.clockStop()
            case MIDIBytes.clockContinue.status: tempo.clockContinue()
            default: return  // system common, sysex fragments: not for the engine
            }
            counters.inputs += 1
            inputSinceAdvance = true
            return
        }
        counters.inputs += 1
        inputSinceAdvance = true
        let channel = message.channel
        if message.isNoteOn {
            performerNote(on: true, channel: channel, pitch: message.data1 & 0x7F, velocity: message.data2 & 0x7F, frame: frame)
        } else if message.isNoteOff {
            performerNote(on: false, channel: channel, pitch: message.data1 & 0x7F, velocity: 0, frame: frame)
        } else if message.isControlChange,
                  let action = CCMap.action(configuration.controls, channel: channel, controller: message.data1 & 0x7F, value: message.data2 & 0x7F) {
            counters.controlChanges += 1
            apply(action)
        } else if configuration.mode == .effect && configuration.effectThrough {
            emit(OutputEvent(frame: throughFrame(frame), bytes: message, isGenerated: false))
        }
    }

    /// The host's transport as read once per cycle (JACK transport, an LV2 host's
    /// `time:Position`): rolling, tempo and the beat position at `frame`.
    public func receiveTransport(rolling: Bool, bpm: Double, beat: Double, at frame: Int64) {
        guard !isShutDown else { return }
        tempo.transport(rolling: rolling, bpm: bpm, beat: beat, at: frame)
    }

    /// Pass-through keeps the performer's timing at a constant latency (`throughDelayFrames`),
    /// unless that moment is already rendered.
    private func throughFrame(_ frame: Int64) -> Int64 {
        max(frame &+ configuration.throughDelayFrames, lastNow)
    }

    private func apply(_ action: CCAction) {
        switch action {
        case let .set(parameter, value): set(parameter, value)
        case let .play(on): if on { resume() } else { pause() }
        }
    }

    private func performerNote(on: Bool, channel: UInt8, pitch: UInt8, velocity: UInt8, frame: Int64) {
        let mode = configuration.mode
        guard mode != .off else { return }
        // What has been rendered cannot be preceded: a late input counts from `lastNow`.
        let at = max(frame, lastNow)
        if mode == .effect && configuration.effectThrough && notes.through(on: on, channel: channel, pitch: pitch) {
            let bytes: MIDIBytes = on ? .noteOn(channel: channel, pitch: pitch, velocity: velocity) : .noteOff(channel: channel, pitch: pitch)
            emit(OutputEvent(frame: throughFrame(frame), bytes: bytes, isGenerated: false))
        }
        if let only = configuration.inputChannel, only != channel { return }
        listen(on: on, pitch: pitch, velocity: velocity, at: at)
        counters.performerNotes += 1
        lastPerformerFrame = at
        switch mode {
        case .callResponse:
            if on {
                // Barge-in: the answer stops on the performer's first note.
                if generating || !spec.tail.isEmpty { hardStop(at: at) }
                appendPerformer(on: on, pitch: pitch, velocity: velocity, at: at)
                awaitingSilence = true
            } else if generating {
                // Letting go of a key held into the answer is not playing again: the answer goes
                // on, having heard it.
                softRollback(at: at)
                appendPerformer(on: on, pitch: pitch, velocity: velocity, at: at)
            } else {
                if !spec.tail.isEmpty { hardStop(at: at) }
                appendPerformer(on: on, pitch: pitch, velocity: velocity, at: at)
                awaitingSilence = true
            }
        case .accompany:
            if !spec.tail.isEmpty { softRollback(at: at) }
            appendPerformer(on: on, pitch: pitch, velocity: velocity, at: at)
            if on && !paused && configuration.density > 0 {
                generating = true
                generationEnd = nil
                responseInput = responseInput ?? at
            }
        case .effect:
            appendPerformer(on: on, pitch: pitch, velocity: velocity, at: at)
            if on {
                if !paused { answerEffect(pitch: pitch, velocity: velocity, at: at, heardAt: frame) }
            } else {
                endEffectAnswers(of: pitch, heardAt: frame)
            }
        case .off:
            break
        }
    }

    private func appendPerformer(on: Bool, pitch: UInt8, velocity: UInt8, at frame: Int64) {
        if on { yieldKey(pitch, at: frame) }
        commitToHistory { h, fps in h.appendNote(on: on, pitch: pitch, velocity: velocity, at: Double(frame), framesPerStep: fps) }
        resetSpeculation()
    }

    /// The performer strikes a key the machine holds: the machine lets go of it first. Performer
    /// and machine share one pitch space in the model's history, where a second ON of a sounding
    /// key would merge the two notes (and the machine could never release it).
    private func yieldKey(_ pitch: UInt8, at frame: Int64) {
        guard committedMachine[Int(pitch)] >= 0 else { return }
        let channel = configuration.outputChannel
        // Never before its own note-on, which may lie a look-ahead or response delay ahead.
        let offFrame = max(frame, notes.onsetFrame(channel: channel, pitch: pitch) ?? frame)
        if let off = notes.noteOff(channel: channel, pitch: pitch, at: offFrame) {
            emit(off)
            counters.generatedEvents += 1
        }
        commitToHistory { h, fps in
            h.advanceTime(to: Double(frame), framesPerStep: fps)
            h.append(Event.noteOff(pitch: pitch).token, framesPerStep: fps)
        }
        committedMachine[Int(pitch)] = -1
    }

    /// Effect mode: the model, having heard the performer's note, picks `effectVoices` notes to
    /// sound with it (note-ons only, so they form a chord with it), played a response delay later.
    /// They are definite, not speculative: committed to the history at once and released at once
    /// for the real-time side to schedule.
    /// `heardAt` is the frame the performer played at; the answer keeps that distance (a response
    /// delay), however late the worker got to hear of it, unless that moment is already rendered.
    private func answerEffect(pitch: UInt8, velocity: UInt8, at frame: Int64, heardAt: Int64) {
        let density = configuration.density
        guard density > 0 else { return }
        if density < 1 && Double(random.nextUnitFloat()) >= density { return }
        // The active slot is current after idle calls: this is a few model steps at most.
        try! spec.rebase(states: &states, history: history, inference: inference)
        let answerFrame = max(heardAt + configuration.responseDelayFrames, lastNow)
        let channel = configuration.outputChannel
        let rules = TokenChooser.Rules(density: 1, onlyNoteOns: true, allowEnd: false)
        for voice in 0..<configuration.effectVoices {
            guard let token = chooser.choose(logits: spec.logits, chain: &spec.chain, machine: spec.machine,
                                             rules: rules, steering: steering(for: spec.chain), random: &random) else { break }
            let answer = UInt8(token - Vocabulary.noteOnBase)
            guard let out = notes.noteOn(channel: channel, pitch: answer, velocity: velocity, at: answerFrame, tiedTo: pitch) else {
                counters.droppedEvents += 1
                break
            }
            emit(out)
            listening.machinePlayed = true
            counters.generatedEvents += 1
            counters.generatedTokens += 1
            if voice == 0 { counters.lastResponseLatency = answerFrame - heardAt }
            commitToHistory { h, fps in h.append(token, framesPerStep: fps) }
            committedMachine[Int(answer)] = Double(frame)
            spec.chain.accept(token)
            spec.machine[Int(answer)] = Double(frame)
            // Only a further voice needs the model to have heard this one.
            if voice + 1 < configuration.effectVoices {
                let buffer = spec.logits.buffer
                try! inference.step(token: token, state: &spec.state, logits: buffer)
            }
        }
        spec.needsRebase = true
    }

    /// Effect mode: the answers of performer note `pitch` end with it (a response delay later).
    private func endEffectAnswers(of pitch: UInt8, heardAt: Int64) {
        let channel = configuration.outputChannel
        let answers = notes.tied(to: pitch, channel: channel)
        guard !answers.isEmpty else { return }
        for answer in answers {
            if let off = notes.noteOff(channel: channel, pitch: answer, at: max(heardAt + configuration.responseDelayFrames, lastNow)) {
                emit(off)
                counters.generatedEvents += 1
            }
            commitToHistory { h, fps in h.append(Event.noteOff(pitch: answer).token, framesPerStep: fps) }
            committedMachine[Int(answer)] = -1
        }
        resetSpeculation()
    }
}
