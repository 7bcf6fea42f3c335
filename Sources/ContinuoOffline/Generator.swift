import ContinuoEncoding
import ContinuoModel
import ContinuoSampling

/// Continues a primer with a model: N variations at once, each with its own seeded sampler
/// chain, stepped together as one batched computation.
public final class Generator {
    public enum Length: Sendable, Equatable {
        case events(Int)
        case beats(Double)
    }

    public struct Options: Sendable {
        public var variations = 1
        public var length = Length.beats(32)
        public var sampler = SamplerSettings()
        public var seed: UInt64 = 1
        /// Step all variations in one batch (true) or one after another (for comparison).
        public var batched = true

        public init() {}
    }

    /// One variation: every token after the primer, and the notes of primer and continuation.
    public struct Variation: Sendable {
        public var tokens: [Int]
        public var primerNotes: [QuantizedNote]
        public var generatedNotes: [QuantizedNote]
        public var endStep: Int
    }

    public let inference: LSTMInference

    public init(inference: LSTMInference) {
        self.inference = inference
    }

    /// Primer tokens: `START`, the style when given, the primer's events, then time shifts up
    /// to the primer's end, so the continuation starts where the primer stops.
    public static func primerTokens(_ primer: Primer?, style: Int?) -> [Int] {
        guard let primer else {
            return [Vocabulary.start] + (style.map { [Event.style($0).token] } ?? [])
        }
        var tokens = EventCodec.encode(quantized: primer.notes, style: style).map(Int.init)
        tokens.removeLast() // END
        var step = primer.notes.map(\.offsetStep).max() ?? 0
        while step < primer.lengthSteps {
            let shift = min(Vocabulary.maxShiftSteps, primer.lengthSteps - step)
            tokens.append(Event.timeShift(steps: shift).token)
            step += shift
        }
        return tokens
    }

    public func generate(primerTokens: [Int], options: Options) throws -> [Variation] {
        precondition(!primerTokens.isEmpty, "a primer has at least START")
        let rows = max(1, options.variations)
        var chains = (0..<rows).map { row -> SamplerChain in
            var chain = SamplerChain(stages: options.sampler.stages, seed: options.seed &+ UInt64(row) &* 0x9E37_79B9)
            chain.prime(primerTokens)
            return chain
        }
        var primerDecoder = StreamingDecoder()
        for token in primerTokens { primerDecoder.consume(token) }
        let primerEnd = primerDecoder.step
        var decoders = Array(repeating: primerDecoder, count: rows)
        var generated = Array(repeating: [Int](), count: rows)

        let target: (Int, StreamingDecoder) -> Bool = { count, decoder in
            switch options.length {
            case let .events(n): return count >= n
            case let .beats(b): return decoder.step - primerEnd >= Int((b * Double(Vocabulary.stepsPerBeat)).rounded())
            }
        }
        let vocabulary = inference.configuration.vocabularySize
        // Safety net for a model that never moves time: 40 events per beat is far beyond music.
        let cap: Int
        switch options.length {
        case let .events(n): cap = n
        case let .beats(b): cap = max(64, Int(b * 40))
        }

        let groups: [[Int]] = options.batched ? [Array(0..<rows)] : (0..<rows).map { [$0] }
        for group in groups {
            var state = inference.makeState()
            try inference.prime(primerTokens.dropLast(), state: &state)
            state = try state.broadcast(toBatch: group.count)
            var logits = [Float](repeating: 0, count: group.count * vocabulary)
            var input = [Int32](repeating: Int32(primerTokens.last!), count: group.count)
            var done = Array(repeating: false, count: group.count)
            var steps = 0
            while !done.allSatisfy({ $0 }), steps < cap {
                try logits.withUnsafeMutableBufferPointer { buffer in
                    try inference.step(tokens: input, state: &state, logits: buffer)
                    for (i, row) in group.enumerated() where !done[i] {
                        let rowLogits = UnsafeMutableBufferPointer(rebasing: buffer[(i * vocabulary)..<((i + 1) * vocabulary)])
                        let token = chains[row].sample(logits: rowLogits)
                        chains[row].accept(token)
                        input[i] = Int32(token)
                        if decoders[row].consume(token) == .end {
                            done[i] = true
                            continue
                        }
                        generated[row].append(token)
                        if target(generated[row].count, decoders[row]) { done[i] = true }
                    }
                }
                steps += 1
            }
        }
        return (0..<rows).map { row in
            var decoder = decoders[row]
            let endStep = decoder.step
            let notes = decoder.finish()
            return Variation(tokens: generated[row], primerNotes: notes.filter { $0.onsetStep < primerEnd },
                             generatedNotes: notes.filter { $0.onsetStep >= primerEnd }, endStep: endStep)
        }
    }
}
