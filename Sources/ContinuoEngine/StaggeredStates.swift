import ContinuoEncoding
import ContinuoModel

/// Two LSTM states over the sliding window, restarted at staggered points so the model's
/// context stays bounded (an LSTM run over hours drifts into states training never showed it)
/// and one of them always has a long context.
///
/// A slot restarts when its context reaches the window W: a fresh state is primed with START
/// (and the style) and the newest W/2 tokens, then takes the slot's place. The first restart of
/// slot 1 happens at 3W/4, so from then on the slots are W/4 apart and the longer one, which
/// the engine samples from, always has between 3W/4 and W tokens of context (plus the few fed
/// while a rebuild finishes).
///
/// Cost: every committed token is fed to both slots (two steps), and each restart primes W/2
/// tokens. None of it is on the critical path: `background(budget:)` does it a few tokens at a
/// time in the engine's idle calls; only the active slot is brought up to date synchronously,
/// when the engine needs its logits (a handful of tokens, since idle calls keep it current).
/// The slot being rebuilt keeps being fed and stays usable until its replacement is ready.
struct StaggeredStates {
    struct Slot {
        var state: LSTMState
        var logits: FloatScratch
        /// Absolute history index this slot has been fed up to (exclusive).
        var fedThrough: Int
        /// Tokens fed since the slot last (re)started, primer included.
        var context: Int
        /// Whether `logits` follow the last token fed.
        var hasLogits: Bool
    }

    private struct Rebuild {
        var slot: Int
        var state: LSTMState
        var logits: FloatScratch
        var primerFed = 0
        var next: Int
        var context = 0
    }

    let window: Int
    let primer: [Int]
    private(set) var slots: [Slot]
    private var rebuild: Rebuild?
    /// Completed restarts (re-primes), swaps included.
    private(set) var restarts = 0
    /// Bumped whenever a slot's state is replaced: states derived from it must rebase.
    private(set) var generation = 0

    init(inference: LSTMInference, window: Int, primer: [Int], history: History) {
        self.window = window
        self.primer = primer
        let vocabulary = inference.configuration.vocabularySize
        slots = (0..<2).map { _ in
            Slot(state: inference.makeState(), logits: FloatScratch(count: vocabulary),
                 fedThrough: history.firstIndex, context: 0, hasLogits: false)
        }
    }

    /// The slot with the longer context: the one to sample from.
    var active: Int { slots[0].context >= slots[1].context ? 0 : 1 }

    var activeContext: Int { slots[active].context }

    /// Tokens of the committed history the active slot has not been fed yet.
    func lag(of slot: Int, history: History) -> Int { history.total - slots[slot].fedThrough }

    /// Feeds slot `i` up to `budget` pending tokens; returns the steps taken.
    @discardableResult
    mutating func catchUp(_ i: Int, history: History, inference: LSTMInference, budget: Int = .max) throws -> Int {
        if slots[i].fedThrough < history.firstIndex {
            // Fell out of the window (only if the engine starved it): restart it from the window.
            try restartNow(i, history: history, inference: inference)
            return window / 2
        }
        var used = 0
        while slots[i].fedThrough < history.total && used < budget {
            let token = history.token(at: slots[i].fedThrough)
            let logits = slots[i].logits.buffer
            try inference.step(token: token, state: &slots[i].state, logits: logits)
            slots[i].fedThrough += 1
            slots[i].context += 1
            slots[i].hasLogits = true
            used += 1
        }
        return used
    }

    /// Catches both slots up, advances a pending restart, starts one when due; at most `budget`
    /// model steps. Returns the steps taken.
    @discardableResult
    mutating func background(history: History, inference: LSTMInference, budget: Int) throws -> Int {
        var used = try catchUp(active, history: history, inference: inference, budget: budget)
        used += try catchUp(1 - active, history: history, inference: inference, budget: budget - used)
        if rebuild == nil { startRebuildIfDue(history: history, inference: inference) }
        guard var r = rebuild else { return used }
        if r.next < history.firstIndex {
            // The window moved past the rebuild's start while it waited: begin again.
            rebuild = nil
            startRebuildIfDue(history: history, inference: inference)
            return used
        }
        while used < budget {
            let token: Int
            if r.primerFed < primer.count {
                token = primer[r.primerFed]
                r.primerFed += 1
            } else if r.next < history.total {
                token = history.token(at: r.next)
                r.next += 1
            } else {
                break
            }
            let logits = r.logits.buffer
            try inference.step(token: token, state: &r.state, logits: logits)
            r.context += 1
            used += 1
        }
        if r.primerFed == primer.count && r.next == history.total && r.context > 0 {
            // Caught up: the fresh state takes the slot's place.
            slots[r.slot] = Slot(state: r.state, logits: r.logits, fedThrough: r.next, context: r.context, hasLogits: true)
            rebuild = nil
            restarts += 1
            generation += 1
        } else {
            rebuild = r
        }
        return used
    }

    private mutating func startRebuildIfDue(history: History, inference: LSTMInference) {
        var due: Int? = nil
        if slots[0].context >= window { due = 0 }
        else if slots[1].context >= window { due = 1 }
        else if slots[0].context == slots[1].context && slots[1].context >= window * 3 / 4 { due = 1 }
        guard let slot = due else { return }
        rebuild = Rebuild(slot: slot, state: inference.makeState(),
                          logits: FloatScratch(count: inference.configuration.vocabularySize),
                          next: max(history.firstIndex, history.total - window / 2))
    }

    /// Restarts slot `i` at once from the newest W/2 tokens (synchronous: W/2 steps).
    mutating func restartNow(_ i: Int, history: History, inference: LSTMInference) throws {
        var state = inference.makeState()
        let logits = FloatScratch(count: inference.configuration.vocabularySize)
        let start = max(history.firstIndex, history.total - window / 2)
        var context = 0
        for token in primer {
            try inference.step(token: token, state: &state, logits: logits.buffer)
            context += 1
        }
        for index in start..<history.total {
            try inference.step(token: history.token(at: index), state: &state, logits: logits.buffer)
            context += 1
        }
        slots[i] = Slot(state: state, logits: logits, fedThrough: history.total, context: context, hasLogits: true)
        if rebuild?.slot == i { rebuild = nil }
        restarts += 1
        generation += 1
    }

    /// A new model (or window): slot 0 is primed from the window at once, slot 1 copies it; the
    /// symmetric-context rule then staggers them again. Costs up to W/2 steps, synchronously.
    mutating func reprimeAll(history: History, inference: LSTMInference) throws {
        rebuild = nil
        try restartNow(0, history: history, inference: inference)
        let copy = FloatScratch(count: inference.configuration.vocabularySize)
        copy.copy(from: slots[0].logits)
        slots[1] = Slot(state: slots[0].state, logits: copy, fedThrough: slots[0].fedThrough,
                        context: slots[0].context, hasLogits: true)
    }
}
