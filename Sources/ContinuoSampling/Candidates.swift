// libm without Foundation: this module stays pure and light.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A token still in the running.
struct Candidate: Sendable {
    var token: Int32
    var logit: Float
    /// Unnormalised: `exp(logit - max logit)`, filled by `computeWeights()`.
    var weight: Float
}

/// The working set of a chain, after llama.cpp's `llama_token_data_array`: stages shrink
/// `count` and rewrite logits in place, in storage allocated once at init, so that sampling a
/// token never allocates.
struct CandidateList: Sendable {
    private var storage: [Candidate]
    /// Entries `0..<count` are live.
    private(set) var count = 0
    /// Whether live entries are in descending order of logit, ties by ascending token.
    /// Truncation needs the order and masks keep it, so top-k followed by top-p sorts once.
    private(set) var isSorted = false
    /// Per-token marks for stages that ban or penalise sets of tokens: a token is marked when its
    /// entry equals `epoch`, so clearing the marks is one increment, not a pass.
    private var marks: [UInt32]
    private var epoch: UInt32 = 0

    init(capacity: Int) {
        storage = [Candidate](repeating: Candidate(token: 0, logit: 0, weight: 0), count: capacity)
        marks = [UInt32](repeating: 0, count: capacity)
    }

    var capacity: Int { storage.count }

    /// Every token with a logit above -inf becomes a candidate; NaN logits are dropped. If none
    /// is left the model said nothing usable, and every token gets an equal chance.
    mutating func load(_ logits: UnsafeBufferPointer<Float>) {
        precondition(logits.count > 0 && logits.count <= capacity,
                     "logits must have 1...\(capacity) entries, got \(logits.count)")
        var live = 0
        storage.withUnsafeMutableBufferPointer { entries in
            for token in 0..<logits.count {
                let logit = logits[token]
                if logit > -.infinity {
                    entries[live] = Candidate(token: Int32(token), logit: logit, weight: 0)
                    live += 1
                }
            }
            if live == 0 {
                for token in 0..<logits.count {
                    entries[token] = Candidate(token: Int32(token), logit: 0, weight: 0)
                }
                live = logits.count
            }
        }
        count = live
        isSorted = false
    }

    /// Runs `body` over the live entries.
    @inline(__always)
    mutating func withLive<R>(_ body: (UnsafeMutableBufferPointer<Candidate>) throws -> R) rethrows -> R {
        let live = count
        return try storage.withUnsafeMutableBufferPointer { entries in
            try body(UnsafeMutableBufferPointer(rebasing: entries[0..<live]))
        }
    }

    /// Keeps the candidates whose token passes `keep`, in their order. Returns false, and
    /// changes nothing, when none would pass: a mask never leaves the chain without a token.
    @discardableResult
    mutating func retain(where keep: (Int) -> Bool) -> Bool {
        // Kept entries swap towards the front in order; when nothing is kept nothing moved.
        let kept = withLive { entries -> Int in
            var kept = 0
            for i in 0..<entries.count where keep(Int(entries[i].token)) {
                if i != kept { entries.swapAt(i, kept) }
                kept += 1
            }
            return kept
        }
        guard kept > 0 else { return false }
        count = kept
        return true
    }

    /// Keeps the first `k` live entries.
    mutating func truncate(to k: Int) {
        precondition(k > 0)
        count = min(count, k)
    }

    /// Marks logits as changed, so order must be re-established before truncation.
    mutating func logitsChanged() { isSorted = false }

    /// Sorts the live entries, most likely first. Heapsort in place: the standard library's
    /// sort may allocate a merge buffer, and ties broken by token make the order unique anyway.
    mutating func sort() {
        guard !isSorted else { return }
        withLive { entries in
            let n = entries.count
            // "Greater" is later in the final order; a max-heap of it leaves the order ascending.
            @inline(__always) func later(_ a: Candidate, _ b: Candidate) -> Bool {
                a.logit < b.logit || (a.logit == b.logit && a.token > b.token)
            }
            @inline(__always) func siftDown(_ start: Int, _ end: Int) {
                var root = start
                while true {
                    var child = 2 * root + 1
                    if child >= end { return }
                    if child + 1 < end && later(entries[child + 1], entries[child]) { child += 1 }
                    if !later(entries[child], entries[root]) { return }
                    entries.swapAt(root, child)
                    root = child
                }
            }
            if n < 2 { return }
            var start = n / 2 - 1
            while start >= 0 {
                siftDown(start, n)
                start -= 1
            }
            var end = n - 1
            while end > 0 {
                entries.swapAt(0, end)
                siftDown(0, end)
                end -= 1
            }
        }
        isSorted = true
    }

    /// Moves the most likely candidate (lowest token on ties) to the front and keeps only it.
    mutating func keepArgmax() {
        withLive { entries in
            var best = 0
            for i in 1..<max(entries.count, 1) {
                let a = entries[i], b = entries[best]
                if a.logit > b.logit || (a.logit == b.logit && a.token < b.token) { best = i }
            }
            if best != 0 { entries.swapAt(0, best) }
        }
        count = 1
        isSorted = true
    }

    /// Fills `weight` with `exp(logit - max)` and returns their sum (at least 1).
    @discardableResult
    mutating func computeWeights() -> Float {
        withLive { entries in
            var maximum = -Float.infinity
            for i in 0..<entries.count where entries[i].logit > maximum { maximum = entries[i].logit }
            var sum: Float = 0
            for i in 0..<entries.count {
                let x = entries[i].logit - maximum
                // NaN only from inf - inf, i.e. this logit *is* the (infinite) maximum.
                let w = x.isNaN ? 1 : expf(x)
                entries[i].weight = w
                sum += w
            }
            return sum
        }
    }

    // MARK: marks

    /// Starts a new set of marks: every token unmarked.
    mutating func clearMarks() {
        epoch &+= 1
        if epoch == 0 {
            // Wrapped: stale entries could equal the new epoch.
            marks.withUnsafeMutableBufferPointer { m in for i in 0..<m.count { m[i] = 0 } }
            epoch = 1
        }
    }

    @inline(__always)
    mutating func mark(_ token: Int) {
        if token >= 0 && token < marks.count { marks[token] = epoch }
    }

    /// The current marks as a value, to read inside a pass over the entries (which holds
    /// exclusive access to the list). Copying shares the storage: no allocation.
    var markSnapshot: Marks { Marks(marks: marks, epoch: epoch) }
}

struct Marks: Sendable {
    let marks: [UInt32]
    let epoch: UInt32

    @inline(__always)
    func contains(_ token: Int) -> Bool {
        token >= 0 && token < marks.count && marks[token] == epoch
    }
}
