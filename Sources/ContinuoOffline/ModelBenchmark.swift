// `continuo bench model`: latency of the streaming step, batched throughput, training
// throughput and the accuracy cost of int8 weights, for a given shape, on synthetic tokens.
import ContinuoEncoding
import ContinuoJSON
import ContinuoModel
import ContinuoRandom
import Foundation

public struct ModelBenchmark {
    public struct Options: Sendable {
        public var vocab = Vocabulary.size, embed = 256, hidden = 512, layers = 2
        public var steps = 3000, batch = 8
        public var trainBatch = 64, trainSequence = 128, trainSteps = 5, warmupSteps = 2, trainThreads = 2
        public var accuracySteps = 500
        public var trainPrecisions = TrainingPrecision.allCases
        /// Print one JSON object (figures and kernels) instead of text lines.
        public var json = false
        public init() {}
    }

    public let options: Options

    public init(options: Options) {
        self.options = options
    }

    public func run() throws {
        let options = self.options
        let configuration = LSTMConfiguration(vocabularySize: options.vocab, embeddingSize: options.embed,
                                              hiddenSize: options.hidden, layerCount: options.layers)
        let clock = ContinuousClock()
        var figures: [String: JSONValue] = [:]
        func print(_ line: String) { if !options.json { Swift.print(line) } }
        print("modelbench: V=\(options.vocab) E=\(options.embed) H=\(options.hidden) N=\(options.layers), \(configuration.parameterCount) parameters")
        MathThreads.set(options.trainThreads)
        let kernels = MathKernels.probe(rows: options.trainBatch * options.trainSequence, inputs: options.hidden,
                                        outputs: 4 * options.hidden)
        kernels.summary.forEach(print)
        figures["shape"] = .object(["vocab": .int(options.vocab), "embed": .int(options.embed), "hidden": .int(options.hidden),
                                    "layers": .int(options.layers), "parameters": .int(configuration.parameterCount)])
        figures["kernels"] = .object(["library": .string(kernels.library), "isa": .string(kernels.isa),
                                      "cpu": .array(kernels.cpu.names.map(JSONValue.string)),
                                      "fp32": .string(kernels.float32Implementation), "bf16": .string(kernels.bf16Implementation),
                                      "bf16_native": .bool(kernels.cpu.hasNativeBF16),
                                      "warnings": .array(kernels.warnings.map(JSONValue.string))])

        var model = try LSTMModel(configuration: configuration, seed: 1)

        // MARK: Load time
        do {
            let bytes = model.safetensorsBytes(metadata: ["note": "bench"])
            var times: [Double] = []
            for _ in 0..<9 {
                let start = clock.now
                let loaded = try bytes.withUnsafeBytes { try LSTMModel(safetensors: $0, expectedVocabularySize: options.vocab) }
                times.append(seconds(clock.now - start))
                precondition(loaded.parameters.count == model.parameters.count)
            }
            times.sort()
            print(String(format: "load: %.1f MB safetensors parsed+validated+copied in %.2f ms (median of 9)",
                         Double(bytes.count) / 1e6, times[4] * 1e3))
            figures["load_ms"] = .double(times[4] * 1e3)
        }

        // MARK: Training throughput, per precision, from the same weights and windows
        do {
            MathThreads.set(options.trainThreads)
            var streams = (0..<options.trainBatch).map { SyntheticStream(vocabulary: options.vocab, seed: UInt64($0) + 100) }
            var previous = streams.indices.map { streams[$0].next() }
            func nextWindow(first: Bool) -> TokenWindow {
                var inputs: [Int32] = [], targets: [Int32] = []
                inputs.reserveCapacity(options.trainBatch * options.trainSequence)
                targets.reserveCapacity(options.trainBatch * options.trainSequence)
                for b in 0..<options.trainBatch {
                    for _ in 0..<options.trainSequence {
                        let next = streams[b].next()
                        inputs.append(previous[b])
                        targets.append(next)
                        previous[b] = next
                    }
                }
                return TokenWindow(inputs: inputs, targets: targets, resetRows: Array(repeating: first, count: options.trainBatch))
            }
            let warmup = (0..<options.warmupSteps).map { nextWindow(first: $0 == 0) }
            let windows = (0..<options.trainSteps).map { _ in nextWindow(first: false) }
            let initial = model
            var trained: [String: JSONValue] = [:]
            for precision in options.trainPrecisions {
                let training = TrainingConfiguration(batchSize: options.trainBatch, sequenceLength: options.trainSequence,
                                                     schedule: LearningRateSchedule(peak: 3e-3, warmupSteps: 5, totalSteps: 1000),
                                                     precision: precision)
                let trainer = try LSTMTrainer(model: initial, configuration: training)
                for window in warmup { try trainer.trainStep(window) }
                var stepTimes: [Double] = []
                var loss: Float = 0
                for window in windows {
                    let start = clock.now
                    loss = try trainer.trainStep(window)
                    stepTimes.append(seconds(clock.now - start))
                }
                let tokens = Double(options.trainBatch * options.trainSequence * options.trainSteps)
                let total = stepTimes.reduce(0, +)
                let implementation = kernels.implementation(for: precision)
                print(String(format: "train %@: batch %d x seq %d, AdamW, dropout 0.1, %d threads, %@: %.0f tokens/s (%.1f ms/step, %d timed steps after %d warm-up; loss %.3f)",
                             precision.rawValue, options.trainBatch, options.trainSequence, options.trainThreads, implementation,
                             tokens / total, total / Double(options.trainSteps) * 1e3, options.trainSteps, options.warmupSteps, loss))
                trained[precision.rawValue] = .object(["tokens_per_second": .double(tokens / total),
                                                       "ms_per_step": .double(total / Double(options.trainSteps) * 1e3),
                                                       "loss": .double(Double(loss)), "kernel": .string(implementation)])
                if precision == .fp32 || options.trainPrecisions.count == 1 { model = trainer.model }
            }
            figures["train"] = .object(["batch": .int(options.trainBatch), "sequence": .int(options.trainSequence),
                                        "threads": .int(options.trainThreads), "steps": .int(options.trainSteps),
                                        "precisions": .object(trained)])
        }

        // MARK: Streaming step latency, one thread
        MathThreads.set(1)
        var tokenStream = SyntheticStream(vocabulary: options.vocab, seed: 7)
        let tokens = (0..<max(options.steps, 1000)).map { _ in Int(tokenStream.next()) }
        var stepFigures: [String: JSONValue] = [:]
        for precision in InferencePrecision.allCases {
            let inference = LSTMInference(model: model, precision: precision, maxBatch: options.batch)
            var state = inference.makeState()
            var logits = [Float](repeating: 0, count: options.vocab)
            var times: [Double] = []
            times.reserveCapacity(options.steps)
            try logits.withUnsafeMutableBufferPointer { buffer in
                for token in tokens.prefix(200) { try inference.step(token: token, state: &state, logits: buffer) }
                for token in tokens.prefix(options.steps) {
                    let start = clock.now
                    try inference.step(token: token, state: &state, logits: buffer)
                    times.append(seconds(clock.now - start))
                }
            }
            times.sort()
            print(String(format: "step %-7@ batch 1, 1 thread: median %.1f us, p99 %.1f us, max %.1f us over %d steps",
                         precision.rawValue, percentile(times, 0.5) * 1e6, percentile(times, 0.99) * 1e6,
                         times.last! * 1e6, times.count))
            var figure: [String: JSONValue] = ["median_us": .double(percentile(times, 0.5) * 1e6),
                                               "p99_us": .double(percentile(times, 0.99) * 1e6),
                                               "max_us": .double(times.last! * 1e6)]

            var batchState = inference.makeState(batch: options.batch)
            var batchLogits = [Float](repeating: 0, count: options.batch * options.vocab)
            let batchSteps = max(200, options.steps / 4)
            let batchTokens = (0..<(batchSteps * options.batch)).map { Int32(tokens[$0 % tokens.count]) }
            let start = clock.now
            try batchLogits.withUnsafeMutableBufferPointer { buffer in
                try batchTokens.withUnsafeBufferPointer { all in
                    for s in 0..<batchSteps {
                        try inference.step(tokens: UnsafeBufferPointer(rebasing: all[(s * options.batch)..<((s + 1) * options.batch)]),
                                           state: &batchState, logits: buffer)
                    }
                }
            }
            let elapsed = seconds(clock.now - start)
            print(String(format: "step %-7@ batch %d, 1 thread: %.0f batched steps/s = %.0f events/s (%.1f us per batched step)",
                         precision.rawValue, options.batch, Double(batchSteps) / elapsed,
                         Double(batchSteps * options.batch) / elapsed, elapsed / Double(batchSteps) * 1e6))
            figure["batch_\(options.batch)_events_per_second"] = .double(Double(batchSteps * options.batch) / elapsed)
            stepFigures[precision.rawValue] = .object(figure)
        }
        figures["step"] = .object(stepFigures)

        // MARK: Accuracy cost of int8
        let report = try CompactAccuracy.measure(model: model, steps: options.accuracySteps, seed: 3)
        print("int8 vs float32 (bench-trained weights, self-sampled input): \(report)")
        let untrained = try CompactAccuracy.measure(model: try LSTMModel(configuration: configuration, seed: 1),
                                                    steps: options.accuracySteps, seed: 3)
        print("int8 vs float32 (freshly initialised weights): \(untrained)")
        figures["int8_accuracy"] = .object(["trained": .string("\(report)"), "untrained": .string("\(untrained)")])
        if options.json { Swift.print(JSONValue.object(figures).serialized()) }
    }
}

private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

private func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

/// A synthetic "musical" stream: a sparse random Markov chain over the vocabulary, so models
/// trained on it have structure to learn and non-trivial hidden states.
private struct SyntheticStream {
    var random: SeededRandom
    let successors: [[Int32]]
    var current: Int32 = 0

    init(vocabulary: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        successors = (0..<vocabulary).map { _ in (0..<4).map { _ in Int32(random.next() % UInt64(vocabulary)) } }
        self.random = random
    }

    mutating func next() -> Int32 {
        current = successors[Int(current)][Int(random.next() % 4)]
        return current
    }
}

