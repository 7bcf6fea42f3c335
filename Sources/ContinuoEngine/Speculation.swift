import ContinuoEncoding
import ContinuoModel
import ContinuoSampling

/// The generator's working copy: the model state, sampler and machine notes of the committed
/// history plus a tail of generated tokens not yet committed, each with the frame it plays at.
///
/// Generation runs only a look-ahead past `now`, so the tail is short: the events of the
/// current step and the shift past the horizon. A tail token is committed (enters the history
/// and the committed sampler) once its frame has been played. Rolling back is dropping the
/// uncommitted part and starting again from the committed snapshot: the staggered slot the
/// state was copied from, the committed sampler, the committed machine notes. Nothing is undone
/// token by token, and the LSTM state, a plain value, is copied rather than recomputed.
struct Speculation {
    struct Entry {
        var token: Int
        /// Where the token stands: its event's frame, or a shift's start.
        var frame: Double
        /// A shift's end (= `frame` for other tokens).
        var endFrame: Double
        /// Velocity of a note-on.
        var velocity: UInt8
        var released = false
    }

    var tail: [Entry] = []
    var state: LSTMState
    var logits: FloatScratch
    var chain: SamplerChain
    /// Model-time onset frame of each machine note (-1 silent) after the tail.
    var machine: [Double]
    /// Where generation stands in frames.
    var genFrame: Double
    /// Tempo the tail was generated at.
    var framesPerStep: Double
    /// Tokens generated on the current step (a guard against a model that never moves time).
    var tokensAtStep = 0
    var velocityBin: Int
    /// An onset delayed to the grid, played after the inserted shift.
    var deferredOn: Int? = nil
    /// The next token must be a note-on (the first of an answer).
    var forceOn = false
    /// The state must be recopied from the active slot before the next step.
    var needsRebase = true
    /// The `StaggeredStates.generation` the state was copied at.
    var baseGeneration = -1
    /// Tail entries already released to the output (a prefix: the tail is in frame order).
    var releasedCount = 0

    init(inference: LSTMInference, chain: SamplerChain) {
        state = inference.makeState()
        logits = FloatScratch(count: inference.configuration.vocabularySize)
        self.chain = chain
        machine = [Double](repeating: -1, count: 128)
        genFrame = 0
        framesPerStep = 1
        velocityBin = Vocabulary.velocityBin(64)
        tail.reserveCapacity(64)
    }

    /// Back to the committed history: empty tail, committed sampler and machine notes.
    mutating func reset(chain committed: SamplerChain, machine committedMachine: [Double], history: History, framesPerStep: Double) {
        tail.removeAll(keepingCapacity: true)
        releasedCount = 0
        chain = committed
        machine = committedMachine
        genFrame = history.timeFrame
        self.framesPerStep = framesPerStep
        velocityBin = history.velocityBin
        tokensAtStep = 0
        deferredOn = nil
        forceOn = false
        needsRebase = true
    }

    /// Copies the active slot (brought up to date) and replays the tail on it: after a reset, or
    /// when a slot restart replaced the state this one descends from (so its context stays bounded).
    mutating func rebase(states: inout StaggeredStates, history: History, inference: LSTMInference) throws {
        let active = states.active
        try states.catchUp(active, history: history, inference: inference)
        state = states.slots[active].state
        logits.copy(from: states.slots[active].logits)
        for entry in tail {
            let buffer = logits.buffer
            try inference.step(token: entry.token, state: &state, logits: buffer)
        }
        baseGeneration = states.generation
        needsRebase = false
    }

    /// Feeds a chosen token to the state and sampler and appends it to the tail.
    mutating func play(_ token: Int, inference: LSTMInference) throws {
        chain.accept(token)
        let buffer = logits.buffer
        try inference.step(token: token, state: &state, logits: buffer)
        var entry = Entry(token: token, frame: genFrame, endFrame: genFrame, velocity: Vocabulary.velocity(ofBin: velocityBin))
        if let event = Event(token: token) {
            switch event {
            case let .timeShift(n):
                genFrame += Double(n) * framesPerStep
                entry.endFrame = genFrame
                tokensAtStep = 0
            case let .velocity(bin):
                velocityBin = bin
                entry.velocity = Vocabulary.velocity(ofBin: bin)
                tokensAtStep += 1
            case let .noteOn(p):
                machine[Int(p)] = genFrame
                tokensAtStep += 1
            case let .noteOff(p):
                machine[Int(p)] = -1
                tokensAtStep += 1
            default:
                break
            }
        }
        tail.append(entry)
    }

    /// Model steps the longest-held machine note has sounded, and its pitch; nil when none.
    func longestMachineNote() -> (pitch: Int, steps: Double)? {
        var best: (Int, Double)? = nil
        for p in 0..<128 where machine[p] >= 0 {
            let held = (genFrame - machine[p]) / framesPerStep
            if best == nil || held > best!.1 { best = (p, held) }
        }
        return best
    }

    /// Number of leading tail entries wholly before `frame`: events before it, shifts ending by it.
    func prefixBefore(_ frame: Double) -> Int {
        var n = 0
        for entry in tail {
            let isShift = entry.endFrame > entry.frame
            if isShift ? entry.endFrame <= frame + 0.5 : entry.frame < frame { n += 1 } else { break }
        }
        return n
    }
}
