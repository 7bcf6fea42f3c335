import ArgumentParser
import ContinuoModel
import ContinuoFiles
import ContinuoOffline
import Foundation
import Synchronization

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train an LSTM on a token file made by `prepare`.",
        discussion: """
        Writes the best model (by validation loss) to OUT, a checkpoint to OUT.ckpt every epoch \
        and on Ctrl-C, and a CSV log to OUT.csv. --resume continues from OUT.ckpt exactly where \
        it stopped.
        """)

    @Option(help: "Token file from `continuo prepare`, or (with --finetune) a folder of MIDI files such as keepers/.") var data: String
    @Option(name: .customLong("out"), help: "Model file to write (safetensors).") var output: String = "model.safetensors"
    @OptionGroup var shape: ModelShapeOptions
    @Option(help: "Window length for truncated back-propagation through time.") var seqLen = 128
    @Option(help: "Rows per mini-batch.") var batch = 64
    @Option(help: "Epochs at most.") var epochs = 10
    @Option(help: "Peak learning rate (Adam); default 2e-3, or 5e-4 when fine-tuning.") var lr: Float?
    @Option(help: "Warm-up steps.") var warmup = 200
    @Option(help: "AdamW weight decay.") var weightDecay: Float = 0.01
    @Option(help: "Dropout between layers and before the output.") var dropout: Float = 0.1
    @Option(help: "Global gradient-norm clip (0: off).") var clip: Float = 1.0
    @Option(help: "Seed: initial weights, data order, dropout, augmentation.") var seed: UInt64 = 1
    @Option(help: "Stop after this many epochs without a better validation loss.") var patience = 3
    @Option(help: "Stop after this many optimiser steps (a checkpoint is saved).") var maxSteps: Int?
    @Option(help: "Random transposition of each piece by up to this many semitones (0: off).") var transpose = 5
    @Option(help: "Threads for the matrix products.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Operands of the large products: bf16 (float32 accumulation, weights and optimiser) or fp32. Default: the checkpoint's when resuming, else bf16 where the CPU has AVX512_BF16 or AMX, else fp32.")
    var precision: TrainingPrecision?
    @Flag(help: "Continue from OUT.ckpt.") var resume = false
    @Flag(help: "Fine-tune: start from --from's weights (architecture options are ignored).") var finetune = false
    @Option(name: .customLong("from"), help: "Model to fine-tune (default: the bundled model).") var initialModel: String?
    @Flag(help: "No progress bar.") var quiet = false

    func validate() throws {
        guard seqLen >= 1, batch >= 1, epochs >= 1 else {
            throw ValidationError("--seq-len, --batch and --epochs must be at least 1")
        }
        guard (lr ?? 1) > 0, dropout >= 0, dropout < 1 else { throw ValidationError("--lr must be positive and --dropout in [0, 1)") }
    }

    func run() throws {
        var dataPath = data
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: data, isDirectory: &isFolder), isFolder.boolValue {
            // A folder (e.g. keepers/) is prepared on the spot; with few pieces, one in five validates.
            dataPath = output + ".data.ctok"
            // Rated phrases (the page's like/dislike): the disliked ones are left out.
            let files = try CorpusScanner.scan([data]).map(\.path)
            let disliked = files.filter { Rating.of($0) == .dislike }
            if !disliked.isEmpty { print("leaving out \(disliked.count) disliked phrases: \(disliked.map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))") }
            let liked = files.filter { Rating.of($0) == .like }.count
            if liked > 0 { print("\(liked) liked phrases among \(files.count - disliked.count) used") }
            var prepare = PrepareJob(roots: files.filter { Rating.of($0) != .dislike }, output: dataPath)
            prepare.validationFraction = 0.2
            prepare.showProgress = !quiet
            prepare.encoder = PieceEncoder(minimumNotes: 1)
            let index = try prepare.run()
            print("prepared \(index.totals.filesUsed) files from \(data): \(index.totals.trainPieces) train, \(index.totals.validationPieces) validation pieces")
            guard index.totals.trainPieces > 0, index.totals.validationPieces > 0 else {
                throw CLIError("\(data) needs at least two usable MIDI files (one to train on, one to validate with)")
            }
        }
        var options = TrainJob.Options(data: dataPath, output: output)
        options.layers = shape.layers; options.hidden = shape.hidden; options.embed = shape.embed
        options.sequenceLength = seqLen; options.batchSize = batch; options.epochs = epochs
        options.learningRate = lr ?? (finetune ? 5e-4 : 2e-3); options.warmupSteps = warmup; options.weightDecay = weightDecay
        options.dropout = dropout; options.clip = clip; options.seed = seed; options.patience = patience
        options.maxSteps = maxSteps; options.transpose = transpose; options.threads = threads
        options.resume = resume; options.showProgress = !quiet; options.precision = precision
        if finetune {
            guard let from = initialModel ?? ModelStore.defaultModelPath() else { throw CLIError("--finetune needs --from MODEL (no bundled model found)") }
            options.initialModel = from
        }
        options.command = CommandLine.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }.joined(separator: " ")
        StopSignal.install()
        do {
            _ = try TrainJob(options: options).run(stopRequested: { StopSignal.requested })
        } catch {
            throw CLIError(error)
        }
    }
}

/// Ctrl-C (SIGINT) and SIGTERM ask the training loop to save a checkpoint and stop.
enum StopSignal {
    private static let flag = Atomic<Bool>(false)

    static var requested: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { _ in StopSignal.flag.store(true, ordering: .relaxed) }
        }
    }
}

extension TrainingPrecision: ExpressibleByArgument {}
