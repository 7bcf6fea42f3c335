import ContinuoEncoding
import Foundation
@testable import ContinuoSampling

/// Tokens by name, so tests read like event lists.
enum T {
    static func on(_ pitch: Int) -> Int { Vocabulary.noteOnBase + pitch }
    static func off(_ pitch: Int) -> Int { Vocabulary.noteOffBase + pitch }
    static func shift(_ steps: Int) -> Int { Vocabulary.shiftBase + steps - 1 }
    static func vel(_ bin: Int) -> Int { Vocabulary.velocityBase + bin }
    static let vocabulary = Vocabulary.size
}

/// Logits whose softmax is `probabilities`.
func logits(of probabilities: [Float]) -> [Float] {
    probabilities.map { $0 > 0 ? logf($0) : -.infinity }
}

/// Random logits for property tests, drawn from a generator of their own so the chain's
/// stream is untouched.
struct LogitSource {
    var generator: SeededRandom
    /// Added to every token of a class, to stress the masks that guard it.
    var bias: (Int) -> Float = { _ in 0 }
    var spread: Float = 4

    init(seed: UInt64, spread: Float = 4, bias: @escaping (Int) -> Float = { _ in 0 }) {
        generator = SeededRandom(seed: seed)
        self.spread = spread
        self.bias = bias
    }

    mutating func next(count: Int = Vocabulary.size) -> [Float] {
        (0..<count).map { token in (generator.nextUnitFloat() - 0.5) * spread + bias(token) }
    }
}

/// Samples `steps` tokens with fresh random logits each step, accepting each.
func generate(_ chain: inout SamplerChain, steps: Int, logits source: inout LogitSource) -> [Int] {
    var tokens: [Int] = []
    tokens.reserveCapacity(steps)
    var buffer = [Float](repeating: 0, count: Vocabulary.size)
    for _ in 0..<steps {
        let logits = source.next()
        for i in 0..<logits.count { buffer[i] = logits[i] }
        let token = buffer.withUnsafeMutableBufferPointer { chain.sample(logits: $0) }
        chain.accept(token)
        tokens.append(token)
    }
    return tokens
}

/// An independent reference of what sounds, to check the chain against: notes by onset step.
struct Tracker {
    var step = 0
    var onsets: [Int: Int] = [:]

    /// Returns a description of the violation of note hygiene, if any.
    mutating func play(_ token: Int) -> String? {
        switch Event(token: token)! {
        case .pad, .start, .style: return "forbidden token \(Event(token: token)!)"
        case .end: onsets.removeAll()
        case let .timeShift(n): step += n
        case .velocity: break
        case let .noteOn(p):
            if onsets[Int(p)] != nil { return "ON(\(p)) while sounding" }
            onsets[Int(p)] = step
        case let .noteOff(p):
            if onsets.removeValue(forKey: Int(p)) == nil { return "OFF(\(p)) while silent" }
        }
        return nil
    }

    var longestHeld: Int { onsets.values.map { step - $0 }.max() ?? 0 }
}

func softmax(_ logits: [Float]) -> [Double] {
    let finite = logits.filter { $0 > -.infinity }
    let maximum = Double(finite.max() ?? 0)
    let weights = logits.map { $0 > -.infinity ? exp(Double($0) - maximum) : 0 }
    let total = weights.reduce(0, +)
    return weights.map { $0 / total }
}

func close(_ a: [Float], _ b: [Double], tolerance: Double = 1e-5) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs(Double($0) - $1) <= tolerance }
}
