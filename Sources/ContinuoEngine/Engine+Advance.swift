import ContinuoMIDI
import ContinuoEncoding
import ContinuoModel

extension Engine {
    /// Moves the engine to `now` (the first frame the real-time side has not rendered) and
    /// returns what to schedule: generated events up to `now + lookaheadFrames`, effect answers
    /// (a response delay ahead), and whatever `receive` and the controls produced since the last
    /// call. Called every ~0.5 ms and right after inputs. Allocates only the returned array, and
    /// only when there is something to return.
    public func advance(to requested: Int64) -> EngineOutput {
        guard !isShutDown else { return EngineOutput() }
        let now = max(requested, lastNow)
        lastNow = now
        notes.prune(before: now)
        let horizon = Double(now + configuration.lookaheadFrames)
        // The tail was timed at another tempo (clock or transport moved): regenerate it.
        if !spec.tail.isEmpty && abs(tempo.framesPerStep - spec.framesPerStep) > 0.005 * spec.framesPerStep {
            retimeSpeculation()
        }
        commitPlayed(now: now)
        startOrStopByMode(now: now, horizon: horizon)
        // Valid tokens (validated vocabulary): the model cannot throw.
        try! generate(now: now, horizon: horizon)
        release(before: horizon, now: now)
        if configuration.mode == .effect { endOverdueAnswers(now: now, horizon: horizon) }
        // Idle calls keep the states current and do the restarts, 8 model steps (~0.3 ms at
        // H=512) at a time, so an input arriving meanwhile waits little; a call right after an
        // input does none, so its answer goes out first.
        if !inputSinceAdvance {
            _ = try! states.background(history: history, inference: inference, budget: 8)
        }
        inputSinceAdvance = false
        return drain(now: now)
    }

    // MARK: - Mode logic

    private func startOrStopByMode(now: Int64, horizon: Double) {
        guard !paused else { return }
        switch configuration.mode {
        case .callResponse:
            guard awaitingSilence, !generating, let last = lastPerformerFrame else { return }
            let start = Double(last) + configuration.silenceBeats * tempo.framesPerBeat
            guard start < horizon else { return }
            awaitingSilence = false
            // The silence enters the history as shifts; the answer then starts exactly when the
            // silence is complete (the clock re-anchored there, within half a step of the shifts).
            commitToHistory { h, fps in
                h.advanceTime(to: start, framesPerStep: fps)
                h.anchor(at: start)
            }
            resetSpeculation()
            spec.forceOn = true
            generating = true
            generationEnd = history.timeFrame + configuration.responseBeats * tempo.framesPerBeat
        case .accompany:
            guard generating, generationEnd == nil, let last = lastPerformerFrame,
                  Double(now - last) > configuration.accompanyIdleBeats * tempo.framesPerBeat else { return }
            // The performer stopped: finish gracefully (notes end where generation stands).
            generationEnd = spec.genFrame
        case .effect, .off:
            break
        }
    }

    // MARK: - Generation

    private func generate(now: Int64, horizon: Double) throws {
        guard generating, !paused, configuration.mode.generates else { return }
        // Nothing speculative is timed yet: follow the tempo as it is now.
        if spec.tail.isEmpty { spec.framesPerStep = tempo.framesPerStep }
        if spec.needsRebase || spec.baseGeneration != states.generation {
            try spec.rebase(states: &states, history: history, inference: inference)
        }
        var produced = 0
        // At most 64 tokens a call: a model that stalls time cannot hold the worker.
        while spec.genFrame < horizon && produced < 64 {
            guard let token = nextToken(now: now) else {
                generating = false
                generationEnd = nil
                break
            }
            try spec.play(token, inference: inference)
            counters.generatedTokens += 1
            produced += 1
        }
    }

    /// The next token of the machine, forced or sampled; nil when the generation is over.
    private func nextToken(now: Int64) -> Int? {
        let fps = spec.framesPerStep
        if let end = generationEnd, spec.genFrame >= end - fps / 2 {
            // The end: close what sounds, then stop.
            if let (pitch, _) = spec.longestMachineNote() { return Event.noteOff(pitch: UInt8(pitch)).token }
            return nil
        }
        if let (pitch, held) = spec.longestMachineNote(), held >= Double(configuration.maxNoteSteps) - 0.5 {
            return Event.noteOff(pitch: UInt8(pitch)).token
        }
        if let on = spec.deferredOn {
            spec.deferredOn = nil
            if !spec.chain.state.isSounding(on - Vocabulary.noteOnBase) { return on }
        }
        if spec.genFrame < Double(now) - fps {
            // Generation fell behind the clock (a stall): rest up to now rather than burst.
            return clampedShift(Int((Double(now) - spec.genFrame) / fps))
        }
        // A real model plays a few tokens a step (a chord and its velocity); noise would play
        // dozens, each a model step of the worker's time.
        if spec.tokensAtStep >= 16 { return clampedShift(1) }
        let rules = TokenChooser.Rules(density: configuration.density, onlyNoteOns: spec.forceOn,
                                       allowEnd: configuration.mode == .callResponse && configuration.sampler.allowEnd)
        spec.forceOn = false
        guard let token = chooser.choose(logits: spec.logits, chain: &spec.chain, machine: spec.machine,
                                         rules: rules, steering: steering(for: spec.chain), random: &random) else { return clampedShift(1) }
        switch Event(token: token) {
        case .end?:
            generationEnd = spec.genFrame
            if let (pitch, _) = spec.longestMachineNote() { return Event.noteOff(pitch: UInt8(pitch)).token }
            return nil
        case let .timeShift(n)?:
            return clampedShift(n)
        case .noteOn?:
            let wait = stepsToGrid()
            if wait > 0 {
                spec.deferredOn = token
                return clampedShift(wait)
            }
            return token
        default:
            return token
        }
    }

    /// SHIFT(n), shortened so no machine note outlasts `maxNoteBeats` and no answer its end.
    private func clampedShift(_ steps: Int) -> Int {
        var n = min(max(steps, 1), Vocabulary.maxShiftSteps)
        if let (_, held) = spec.longestMachineNote() {
            n = min(n, max(1, Int((Double(configuration.maxNoteSteps) - held).rounded())))
        }
        if let end = generationEnd {
            n = min(n, max(1, Int(((end - spec.genFrame) / spec.framesPerStep).rounded())))
        }
        return Event.timeShift(steps: n).token
    }

    /// Steps from where generation stands to the next onset of the quantisation grid (0 when on
    /// it, or when there is no grid). The grid follows the tempo map's beats, so onsets land on the
    /// clock's or the transport's 16ths, not on the history's.
    private func stepsToGrid() -> Int {
        guard let grid = configuration.quantizeGrid, grid > 1 else { return 0 }
        let step = tempo.beat(at: spec.genFrame) * Double(Vocabulary.stepsPerBeat)
        var offset = step.truncatingRemainder(dividingBy: Double(grid))
        if offset < 0 { offset += Double(grid) }
        if offset < 0.5 || Double(grid) - offset < 0.5 { return 0 }
        return max(0, Int((Double(grid) - offset).rounded()))
    }

    // MARK: - Release and commit

    /// Hands out the tail's events before `horizon`, through the hygiene check.
    func release(before horizon: Double, now: Int64) {
        while spec.releasedCount < spec.tail.count && spec.tail[spec.releasedCount].frame < horizon {
            releaseEntry(spec.releasedCount, now: now)
        }
    }

    /// Releases tail entry `index` (the next unreleased one).
    private func releaseEntry(_ index: Int, now: Int64) {
        let entry = spec.tail[index]
        spec.tail[index].released = true
        spec.releasedCount = index + 1
        guard let event = Event(token: entry.token) else { return }
        var frame = Int64(entry.frame.rounded())
        let channel = configuration.outputChannel
        switch event {
        case let .noteOn(pitch):
            if frame < now { frame = now; counters.lateEvents += 1 }
            if let out = notes.noteOn(channel: channel, pitch: pitch, velocity: entry.velocity, at: frame) {
                emit(out)
                listening.machinePlayed = true
                counters.generatedEvents += 1
                if let input = responseInput {
                    counters.lastResponseLatency = frame - input
                    responseInput = nil
                }
            } else {
                counters.droppedEvents += 1
            }
        case let .noteOff(pitch):
            if frame < now { frame = now }
            if let out = notes.noteOff(channel: channel, pitch: pitch, at: frame) {
                emit(out)
                counters.generatedEvents += 1
            }
        default:
            break
        }
    }

    /// Commits the tail's played part: events before `now`, shifts that ended by it.
    private func commitPlayed(now: Int64) {
        var n = 0
        for entry in spec.tail {
            let isShift = entry.endFrame > entry.frame
            guard isShift ? entry.endFrame <= Double(now) : (entry.frame < Double(now) && entry.released) else { break }
            n += 1
        }
        commitTail(n)
    }

    /// Moves the first `n` tail entries into the history (releasing any not yet released).
    func commitTail(_ n: Int) {
        guard n > 0 else { return }
        while spec.releasedCount < n { releaseEntry(spec.releasedCount, now: lastNow) }
        let start = history.total
        for index in 0..<n {
            let token = spec.tail[index].token
            history.append(token, framesPerStep: spec.framesPerStep)
            switch Event(token: token) {
            case let .noteOn(p)?: committedMachine[Int(p)] = spec.tail[index].frame
            case let .noteOff(p)?: committedMachine[Int(p)] = -1
            default: break
            }
        }
        for index in start..<history.total { committedChain.accept(history.token(at: index)) }
        spec.tail.removeFirst(n)
        spec.releasedCount -= n
        keepStatesInWindow()
    }

    // MARK: - Rollback

    /// New input in accompany (or a new tempo): what was released stays and is committed, the rest
    /// of the tail is dropped; the generator starts again from the committed history.
    func softRollback(at frame: Int64) {
        let keep = max(Double(frame), Double(lastNow + configuration.lookaheadFrames))
        let n = spec.prefixBefore(keep)
        if n < spec.tail.count { counters.rollbacks += 1 }
        // Everything released is before the horizon, hence kept: nothing to flush.
        commitTail(n)
        resetSpeculation()
    }

    /// Barge-in, mode change, pause, panic: the machine goes silent at `frame`. Tail entries
    /// before it are committed, the rest dropped; released events at or after it are flushed,
    /// and every generated note still sounding ends there (in the output and in the history).
    func hardStop(at frame: Int64) {
        let n = spec.prefixBefore(Double(frame))
        if n < spec.tail.count || generating { counters.rollbacks += 1 }
        commitTail(n)
        pending.removeAll { $0.isGenerated && $0.frame >= frame }
        notes.undo(from: frame)
        var offs: [OutputEvent] = []
        notes.silenceGenerated(at: frame, into: &offs)
        for off in offs { emit(off) }
        commitToHistory { h, fps in
            h.advanceTime(to: Double(frame), framesPerStep: fps)
            for p in 0..<128 where committedMachine[p] >= 0 {
                h.append(Event.noteOff(pitch: UInt8(p)).token, framesPerStep: fps)
            }
        }
        for p in 0..<128 { committedMachine[p] = -1 }
        pendingFlushFrame = pendingFlush ? min(pendingFlushFrame, frame) : frame
        pendingFlush = true
        counters.flushes += 1
        generating = false
        generationEnd = nil
        awaitingSilence = false
        responseInput = nil
        resetSpeculation()
    }

    /// The tempo changed: the unreleased tail is regenerated at the new one.
    func retimeSpeculation() {
        let wasGenerating = generating
        softRollback(at: lastNow)
        generating = wasGenerating
    }

    // MARK: - Effect

    /// Effect answers end with their performer note, and after `maxNoteBeats` at the latest.
    private func endOverdueAnswers(now: Int64, horizon: Double) {
        guard notes.generatedCount > 0 else { return }
        var ended = false
        let limit = Int64((configuration.maxNoteBeats * tempo.framesPerBeat).rounded(.down))
        for note in notes.tiedStarted(atOrBefore: Int64(horizon)) where Double(note.onset + limit) < horizon {
            let frame = max(note.onset + limit, now)
            guard let off = notes.noteOff(channel: note.channel, pitch: note.pitch, at: frame) else { continue }
            emit(off)
            counters.generatedEvents += 1
            let modelFrame = Double(frame - configuration.responseDelayFrames)
            commitToHistory { h, fps in
                h.advanceTime(to: modelFrame, framesPerStep: fps)
                h.append(Event.noteOff(pitch: note.pitch).token, framesPerStep: fps)
            }
            committedMachine[Int(note.pitch)] = -1
            ended = true
        }
        if ended { resetSpeculation() }
    }
}
