import Foundation

/// What this performer has played in this set, as a variable-order model of melodic motion and
/// rhythm, learned as they play (after Pachet's Continuator).
///
/// Each performer note-on is a symbol: the interval from the note before it (so a motif played
/// a fifth higher is the same motif) and the steps since it (1/12 beat, on the followed tempo).
/// A prediction finds where the latest intervals of the music (the machine's notes as well as
/// the performer's) occurred in what the performer played, at the longest order that occurred,
/// and proposes what followed each occurrence, newer ones weighing more. The memory is a ring:
/// the oldest phrases fade out as new ones come in, and it never grows.
public struct PerformerModel: Sendable {
    public static let capacity = 512
    public static let maxOrder = 6
    /// Symbols older than this many notes weigh e^-1 of the newest.
    static let fadeNotes = 256.0

    public struct Continuation: Sendable, Hashable {
        public var interval: Int
        public var steps: Int
        public var weight: Double
    }

    private var pitches = [UInt8](repeating: 0, count: PerformerModel.capacity)
    private var intervals = [Int8](repeating: 0, count: PerformerModel.capacity)
    private var steps = [UInt8](repeating: 0, count: PerformerModel.capacity)
    private var phraseStarts = [Bool](repeating: true, count: PerformerModel.capacity)
    /// Notes learned since the last reset: the absolute index of the next one.
    public private(set) var learned = 0

    public init() {}

    /// Notes held (at most `capacity`).
    public var count: Int { min(learned, Self.capacity) }

    public mutating func reset() { learned = 0 }

    /// A performer note-on, `stepsSincePrevious` after their previous one; a phrase starts after
    /// a long rest (or at the first note), and no motif is matched across that boundary.
    public mutating func learn(pitch: Int, stepsSincePrevious: Int, phraseStart: Bool) {
        let slot = learned % Self.capacity
        let previous = learned > 0 ? Int(pitches[(learned - 1) % Self.capacity]) : pitch
        pitches[slot] = UInt8(clamping: pitch)
        intervals[slot] = Int8(clamping: phraseStart ? 0 : pitch - previous)
        steps[slot] = UInt8(clamping: max(0, stepsSincePrevious))
        phraseStarts[slot] = phraseStart || learned == 0
        learned += 1
    }

    /// The notes held, oldest first, as (pitch, steps since the previous, phrase start).
    public var notes: [(pitch: Int, steps: Int, phraseStart: Bool)] {
        (learned - count..<learned).map { i in
            let s = i % Self.capacity
            return (Int(pitches[s]), Int(steps[s]), phraseStarts[s])
        }
    }

    /// Fills `into` (emptied first, capacity kept) with the continuations of `context`, the
    /// latest intervals of the music, oldest first; returns the order matched (0: no motif
    /// matched, the performer's intervals overall).
    @discardableResult
    public func predict(context: [Int], into result: inout [Continuation]) -> Int {
        result.removeAll(keepingCapacity: true)
        guard learned > 1 else { return 0 }
        let first = learned - count
        let order = min(context.count, Self.maxOrder)
        // The longest match ending just before each symbol, in one pass.
        var bestOrder = 0
        // Pass 0 finds the longest order that occurs; pass 1 gathers what followed it.
        for pass in 0..<2 {
            for j in (first + 1)..<learned where !phraseStarts[j % Self.capacity] {
                var k = 0
                while k < order {
                    let i = j - 1 - k
                    // A phrase's first note has no interval before it.
                    guard i >= first, !phraseStarts[i % Self.capacity] else { break }
                    if Int(intervals[i % Self.capacity]) != context[context.count - 1 - k] { break }
                    k += 1
                }
                if pass == 0 {
                    bestOrder = max(bestOrder, k)
                } else if k == bestOrder {
                    let age = Double(learned - 1 - j)
                    add(interval: Int(intervals[j % Self.capacity]), steps: Int(steps[j % Self.capacity]),
                        weight: exp(-age / Self.fadeNotes), to: &result)
                }
            }
        }
        return bestOrder
    }

    private func add(interval: Int, steps: Int, weight: Double, to result: inout [Continuation]) {
        for index in result.indices where result[index].interval == interval && result[index].steps == steps {
            result[index].weight += weight
            return
        }
        if result.count < 48 { result.append(Continuation(interval: interval, steps: steps, weight: weight)) }
    }
}
