import ContinuoEncoding

/// The model's committed history: a sliding window of the last `capacity` tokens (performer
/// and machine interleaved), addressed by absolute index, and where that history stands in
/// time. Time reaches the history only as SHIFT tokens, so frame gaps are turned into steps
/// through the current tempo; the position is kept in frames of the quantised steps, so
/// rounding errors never accumulate.
struct History {
    let capacity: Int
    private var ring: [Int32]
    /// Tokens appended since the engine started: the absolute index of the next one.
    private(set) var total = 0
    /// The frame the history's steps add up to.
    private(set) var timeFrame: Double
    /// The velocity bin of the last VEL token (the model carries velocity until the next one).
    private(set) var velocityBin = Vocabulary.velocityBin(64)
    /// Longest silence written as shifts: beyond it the length of a rest says nothing more.
    static let maxGapSteps = 8 * Vocabulary.stepsPerBeat

    init(capacity: Int, startFrame: Double) {
        self.capacity = max(1, capacity)
        ring = [Int32](repeating: 0, count: self.capacity)
        timeFrame = startFrame
    }

    /// Tokens in the window.
    var count: Int { min(total, capacity) }
    /// Absolute index of the oldest token still in the window.
    var firstIndex: Int { total - count }

    func token(at index: Int) -> Int {
        precondition(index >= firstIndex && index < total, "token \(index) is outside the window \(firstIndex)..<\(total)")
        return Int(ring[index % capacity])
    }

    /// The window's tokens, oldest first (allocates: tests and re-sizing).
    var tokens: [Int] { (firstIndex..<total).map(token(at:)) }

    /// Appends a token as is; a SHIFT advances time by its steps.
    mutating func append(_ token: Int, framesPerStep: Double) {
        ring[total % capacity] = Int32(token)
        total += 1
        if let event = Event(token: token) {
            switch event {
            case let .timeShift(n): timeFrame += Double(n) * framesPerStep
            case let .velocity(bin): velocityBin = bin
            default: break
            }
        }
    }

    /// Writes the time from `timeFrame` to `frame` as shifts (rounded to whole steps); returns
    /// the steps written. Earlier frames write nothing: the history never goes back in time.
    @discardableResult
    mutating func advanceTime(to frame: Double, framesPerStep: Double) -> Int {
        let steps = ((frame - timeFrame) / framesPerStep).rounded()
        guard steps >= 1 else { return 0 }
        var remaining = Int(min(steps, Double(Self.maxGapSteps)))
        let written = remaining
        while remaining > 0 {
            let shift = min(remaining, Vocabulary.maxShiftSteps)
            append(Event.timeShift(steps: shift).token, framesPerStep: framesPerStep)
            remaining -= shift
        }
        // A capped silence jumps: what matters after a long rest is that one happened.
        if steps > Double(Self.maxGapSteps) { timeFrame = frame }
        return written
    }

    /// Puts the history's clock on `frame` without a token: when the machine starts an answer
    /// its grid starts there, not on the rounded grid of the performer's last note.
    mutating func anchor(at frame: Double) { timeFrame = frame }

    /// The tokens of a performer (or forced) note at `frame`: shifts, a VEL when the bin
    /// changes, then ON or OFF.
    mutating func appendNote(on: Bool, pitch: UInt8, velocity: UInt8, at frame: Double, framesPerStep: Double) {
        advanceTime(to: frame, framesPerStep: framesPerStep)
        if on {
            let bin = Vocabulary.velocityBin(velocity)
            if bin != velocityBin { append(Event.velocity(bin: bin).token, framesPerStep: framesPerStep) }
            append(Event.noteOn(pitch: pitch).token, framesPerStep: framesPerStep)
        } else {
            append(Event.noteOff(pitch: pitch).token, framesPerStep: framesPerStep)
        }
    }

    /// A history of another capacity holding the newest tokens of this one.
    func resized(to newCapacity: Int) -> History {
        var copy = History(capacity: newCapacity, startFrame: timeFrame)
        let keep = tokens.suffix(newCapacity)
        copy.total = total - keep.count
        for token in keep {
            copy.ring[copy.total % copy.capacity] = Int32(token)
            copy.total += 1
        }
        copy.velocityBin = velocityBin
        return copy
    }
}
