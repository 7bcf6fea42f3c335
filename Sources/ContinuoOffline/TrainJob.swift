import ContinuoEncoding
import ContinuoModel
import Foundation

/// `continuo train`: trains an LSTM on a token file, with validation every epoch, early
/// stopping, a checkpoint every epoch (and whenever a stop is requested), and a CSV log.
public final class TrainJob {
    public struct Options: Sendable {
        public var data: String
        public var output: String
        public var layers = 2
        public var hidden = 512
        public var embed = 256
        public var sequenceLength = 128
        public var batchSize = 64
        public var epochs = 10
        public var learningRate: Float = 2e-3
        public var warmupSteps = 200
        public var weightDecay: Float = 0.01
        public var dropout: Float = 0.1
        public var clip: Float = 1.0
        public var seed: UInt64 = 1
        public var patience = 3
        public var maxSteps: Int?
        public var transpose = 5
        public var threads = 2
        /// nil: the checkpoint's when resuming, else bf16 where the CPU multiplies it natively.
        public var precision: TrainingPrecision?
        public var resume = false
        /// Start from this model's weights (fine-tuning) instead of a fresh initialisation.
        public var initialModel: String?
        public var showProgress = true
        public var command = ""

        public init(data: String, output: String) {
            self.data = data
            self.output = output
        }

        public var checkpointPath: String { output + ".ckpt" }
        public var logPath: String { output + ".csv" }
    }

    public struct EpochResult: Sendable {
        public var epoch: Int
        public var trainLoss: Double
        public var validationNatsPerEvent: Double
        public var validationBitsPerNote: Double
        public var tokensPerSecond: Double
    }

    public let options: Options
    public private(set) var results: [EpochResult] = []

    public init(options: Options) {
        self.options = options
    }

    /// Runs until the epochs are done, early stopping, `maxSteps`, or `stopRequested()`.
    public func run(stopRequested: @escaping () -> Bool) throws -> [EpochResult] {
        let o = options
        MathThreads.set(o.threads)
        let index = try TokenFile.readIndex(path: TokenFile.indexPath(for: o.data))
        let validation = try ValidationWindows(tokenFile: o.data, batchSize: o.batchSize, sequenceLength: o.sequenceLength)
        let probe = try TrainingStream(tokenFile: o.data, split: .train, batchSize: o.batchSize, sequenceLength: o.sequenceLength, seed: o.seed)
        let windowsPerEpoch = probe.windowsPerEpoch
        // The schedule depends on the planned run only, not on --max-steps, so a run stopped early and
        // resumed follows the same learning rates as one that never stopped.
        let totalSteps = windowsPerEpoch * o.epochs
        let resuming = o.resume && FileManager.default.fileExists(atPath: o.checkpointPath)
        var checkpoint: Data?
        if resuming { checkpoint = try Data(contentsOf: URL(fileURLWithPath: o.checkpointPath), options: .alwaysMapped) }
        let precision = try o.precision ?? checkpoint?.withUnsafeBytes { try LSTMTrainer.checkpointPrecision($0) } ?? .preferred
        let kernels = MathKernels.probe(rows: o.batchSize * o.sequenceLength, inputs: o.hidden, outputs: 4 * o.hidden)
        kernels.summary.forEach(log)
        log("precision: \(precision.rawValue) (\(o.precision == nil ? "chosen for this CPU" : "as asked"))")
        if precision == .bf16, !kernels.cpu.hasNativeBF16 {
            log("note: this CPU has no AVX512_BF16 or AMX, so bf16 runs as bf16-rounded operands on the float32 kernels: bf16 numerics, no speed-up over fp32")
        }
        let training = TrainingConfiguration(
            batchSize: o.batchSize, sequenceLength: o.sequenceLength,
            schedule: LearningRateSchedule(peak: o.learningRate, warmupSteps: min(o.warmupSteps, max(1, totalSteps / 10)), totalSteps: totalSteps),
            weightDecay: o.weightDecay, gradientClipNorm: o.clip, dropout: o.dropout, seed: o.seed, precision: precision)

        var startEpoch = 0, skipWindows = 0, best = Double.infinity, badEpochs = 0
        let trainer: LSTMTrainer
        if let bytes = checkpoint {
            trainer = try bytes.withUnsafeBytes { try LSTMTrainer(checkpoint: $0, configuration: training, expectedVocabularySize: Vocabulary.size) }
            let meta = trainer.metadata
            startEpoch = Int(meta["job.epoch"] ?? "") ?? 0
            skipWindows = Int(meta["job.window"] ?? "") ?? 0
            best = Double(meta["job.best_validation"] ?? "") ?? .infinity
            badEpochs = Int(meta["job.bad_epochs"] ?? "") ?? 0
            log("resuming from \(o.checkpointPath): epoch \(startEpoch + 1), window \(skipWindows), step \(trainer.step)")
        } else if let initial = o.initialModel {
            trainer = try LSTMTrainer(model: try ModelStore.load(initial), configuration: training)
            log("fine-tuning \(initial) (\(trainer.configuration.layerCount) x \(trainer.configuration.hiddenSize))")
            try? FileManager.default.removeItem(atPath: o.logPath)
        } else {
            let configuration = LSTMConfiguration(vocabularySize: Vocabulary.size, embeddingSize: o.embed, hiddenSize: o.hidden, layerCount: o.layers)
            trainer = try LSTMTrainer(model: try LSTMModel(configuration: configuration, seed: o.seed), configuration: training)
            try? FileManager.default.removeItem(atPath: o.logPath)
        }
        let csv = try CSVLog(path: o.logPath, header: "step,epoch,train_loss,learning_rate,gradient_norm,tokens_per_second,validation_nats_per_event,validation_bits_per_note,elapsed_seconds")
        let started = Date()
        let dataSummary = "\(index.totals.trainPieces) train / \(index.totals.validationPieces) validation pieces, \(index.totals.tokens) tokens from \(index.sources.map(\.root).joined(separator: ", "))"

        func metadata(epoch: Int, window: Int) -> [String: String] {
            ["job.epoch": String(epoch), "job.window": String(window), "job.best_validation": String(best),
             "job.bad_epochs": String(badEpochs), "continuo.vocabulary_version": String(Vocabulary.version),
             "continuo.data": dataSummary, "continuo.command": o.command,
             "continuo.precision": precision.rawValue,
             "continuo.kernels": "\(kernels.library) \(kernels.isa): \(kernels.implementation(for: precision))",
             "continuo.styles": ModelStore.stylesMetadata(index)]
        }
        func saveCheckpoint(epoch: Int, window: Int) throws {
            trainer.metadata.merge(metadata(epoch: epoch, window: window)) { $1 }
            try FileBytes.write(trainer.checkpointBytes(), to: o.checkpointPath)
        }

        for epoch in startEpoch..<o.epochs {
            let stream = try TrainingStream(tokenFile: o.data, split: .train, batchSize: o.batchSize, sequenceLength: o.sequenceLength,
                                            transposeRange: -o.transpose...o.transpose, seed: o.seed &+ UInt64(epoch) &* 7919)
            let progress = ProgressBar(total: windowsPerEpoch, label: "epoch \(epoch + 1)/\(o.epochs)")
            progress.enabled = o.showProgress
            var lossSum = 0.0, lossCount = 0, smoothed = Double.nan
            let epochStarted = Date()
            var trainedTokens = 0
            for w in 0..<windowsPerEpoch {
                guard let window = stream.nextWindow(wrap: true) else { break }
                if w < skipWindows { continue }
                let loss = Double(try trainer.trainStep(window))
                lossSum += loss; lossCount += 1
                trainedTokens += o.batchSize * o.sequenceLength
                smoothed = smoothed.isNaN ? loss : 0.95 * smoothed + 0.05 * loss
                let rate = Double(trainedTokens) / max(1e-9, Date().timeIntervalSince(epochStarted))
                progress.update(w + 1, detail: "loss \(Inspection.fixedString(smoothed, 3)) \(Int(rate)) tok/s")
                if trainer.step % 20 == 0 {
                    csv.append([String(trainer.step), String(epoch + 1), String(loss), String(trainer.lastLearningRate),
                                String(trainer.lastGradientNorm), String(Int(rate)), "", "", String(Date().timeIntervalSince(started))])
                }
                if stopRequested() || (o.maxSteps.map { trainer.step >= $0 } ?? false) {
                    progress.finish()
                    try saveCheckpoint(epoch: epoch, window: w + 1)
                    log(stopRequested() ? "stopped; checkpoint saved to \(o.checkpointPath) (continue with --resume)"
                                        : "reached --max-steps \(o.maxSteps ?? 0); checkpoint saved to \(o.checkpointPath)")
                    // Ctrl-C keeps the best validated model where it is; a planned stop
                    // (--max-steps) writes what it trained, there being nothing better.
                    if !stopRequested() || best == .infinity {
                        try saveModel(trainer, metadata: metadata(epoch: epoch, window: w + 1), validation: nil)
                    }
                    return results
                }
            }
            skipWindows = 0
            progress.finish()
            let evaluation = try evaluate(trainer, validation)
            let tokensPerSecond = Double(trainedTokens) / max(1e-9, Date().timeIntervalSince(epochStarted))
            let result = EpochResult(epoch: epoch + 1, trainLoss: lossSum / Double(max(lossCount, 1)),
                                     validationNatsPerEvent: evaluation.nats, validationBitsPerNote: evaluation.bitsPerNote,
                                     tokensPerSecond: tokensPerSecond)
            results.append(result)
            csv.append([String(trainer.step), String(epoch + 1), String(result.trainLoss), String(trainer.lastLearningRate),
                        String(trainer.lastGradientNorm), String(Int(tokensPerSecond)), String(evaluation.nats),
                        String(evaluation.bitsPerNote), String(Date().timeIntervalSince(started))])
            log("epoch \(epoch + 1): train \(Inspection.fixedString(result.trainLoss, 4)) nats/event, validation \(Inspection.fixedString(evaluation.nats, 4)) nats/event, \(Inspection.fixedString(evaluation.bitsPerNote, 3)) bits/note, \(Int(tokensPerSecond)) tokens/s")
            if evaluation.nats < best {
                best = evaluation.nats
                badEpochs = 0
                try saveModel(trainer, metadata: metadata(epoch: epoch + 1, window: 0), validation: evaluation)
                log("  best so far: saved \(o.output)")
            } else {
                badEpochs += 1
            }
            try saveCheckpoint(epoch: epoch + 1, window: 0)
            if badEpochs >= o.patience {
                log("early stop: validation loss has not improved for \(badEpochs) epochs")
                break
            }
            if stopRequested() { break }
        }
        return results
    }

    private func evaluate(_ trainer: LSTMTrainer, _ validation: ValidationWindows) throws -> (nats: Double, bitsPerNote: Double) {
        guard !validation.windows.isEmpty else { return (.nan, .nan) }
        let total = try trainer.validationLoss(validation.windows) * Double(validation.tokenTargets)
        return (total / Double(validation.tokenTargets), total / Foundation.log(2.0) / Double(max(validation.noteTargets, 1)))
    }

    private func saveModel(_ trainer: LSTMTrainer, metadata: [String: String], validation: (nats: Double, bitsPerNote: Double)?) throws {
        var extra = metadata
        if let validation {
            extra["continuo.validation_nats_per_event"] = String(validation.nats)
            extra["continuo.validation_bits_per_note"] = String(validation.bitsPerNote)
        }
        try FileBytes.write(trainer.modelBytes(metadata: extra), to: options.output)
    }

    private func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Appends rows to a CSV file, writing the header when the file is new.
final class CSVLog {
    private let handle: FileHandle

    init(path: String, header: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: Data((header + "\n").utf8)) else {
                throw OfflineError.cannotWrite(path: path, reason: "cannot create the log")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw OfflineError.cannotWrite(path: path, reason: "cannot open the log") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func append(_ fields: [String]) {
        handle.write(Data((fields.joined(separator: ",") + "\n").utf8))
    }
}
