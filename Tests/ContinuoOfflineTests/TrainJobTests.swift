import ContinuoModel
import Foundation
import Testing
@testable import ContinuoOffline

@Suite struct TrainJobTests {
    func prepared() throws -> (folder: URL, data: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-train-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var job = PrepareJob(roots: [PrepareJobTests.sample], output: folder.appendingPathComponent("data.ctok").path)
        job.showProgress = false
        _ = try job.run()
        return (folder, job.output)
    }

    func tinyOptions(data: String, output: String, precision: TrainingPrecision = .fp32) -> TrainJob.Options {
        var o = TrainJob.Options(data: data, output: output)
        o.precision = precision
        o.layers = 1; o.hidden = 32; o.embed = 16; o.sequenceLength = 32; o.batchSize = 8
        o.learningRate = 1e-2; o.warmupSteps = 10; o.threads = 1; o.showProgress = false; o.transpose = 0
        return o
    }

    /// `continuo train` on the bundled sample: the validation loss falls, files are written.
    @Test func trainingOnTheSampleLowersValidationLoss() throws {
        let (folder, data) = try prepared()
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = tinyOptions(data: data, output: folder.appendingPathComponent("m.safetensors").path)
        options.epochs = 3
        let results = try TrainJob(options: options).run(stopRequested: { false })
        #expect(results.count == 3)
        let first = try #require(results.first), last = try #require(results.last)
        #expect(last.validationNatsPerEvent < first.validationNatsPerEvent)
        #expect(first.validationNatsPerEvent < log(355.0)) // better than guessing uniformly
        let model = try Data(contentsOf: URL(fileURLWithPath: options.output))
        let loaded = try model.withUnsafeBytes { try LSTMModel(safetensors: $0, expectedVocabularySize: 355) }
        #expect(loaded.configuration.hiddenSize == 32)
        #expect(loaded.metadata["continuo.validation_nats_per_event"] != nil)
        #expect(FileManager.default.fileExists(atPath: options.checkpointPath))
        let log = try String(contentsOfFile: options.logPath, encoding: .utf8)
        #expect(log.hasPrefix("step,epoch,train_loss"))
    }

    /// Stopping (Ctrl-C or --max-steps) and resuming ends where an uninterrupted run ends, in
    /// either precision; the resumed run takes the checkpoint's precision when none is given.
    @Test(arguments: TrainingPrecision.allCases)
    func resumeContinuesExactly(precision: TrainingPrecision) throws {
        let (folder, data) = try prepared()
        defer { try? FileManager.default.removeItem(at: folder) }
        var whole = tinyOptions(data: data, output: folder.appendingPathComponent("whole.safetensors").path, precision: precision)
        whole.epochs = 1; whole.maxSteps = 30
        _ = try TrainJob(options: whole).run(stopRequested: { false })

        var part = tinyOptions(data: data, output: folder.appendingPathComponent("part.safetensors").path, precision: precision)
        part.epochs = 1; part.maxSteps = 12
        _ = try TrainJob(options: part).run(stopRequested: { false })
        part.maxSteps = 30; part.resume = true; part.precision = nil
        _ = try TrainJob(options: part).run(stopRequested: { false })

        func parameters(_ path: String) throws -> [Float] {
            try Data(contentsOf: URL(fileURLWithPath: path)).withUnsafeBytes { try LSTMModel(safetensors: $0).parameters }
        }
        #expect(try parameters(whole.output) == parameters(part.output))
    }
}

extension TrainJobTests {
    /// The same run in bf16 and fp32 on the sample: both learn, and after the same steps bf16's
    /// validation loss is within 2% of fp32's. The model file says which precision made it.
    @Test func bf16ValidatesWithinTwoPercentOfFP32() throws {
        let (folder, data) = try prepared()
        defer { try? FileManager.default.removeItem(at: folder) }
        var validation: [TrainingPrecision: [Double]] = [:]
        for precision in TrainingPrecision.allCases {
            var options = tinyOptions(data: data, output: folder.appendingPathComponent("\(precision).safetensors").path,
                                      precision: precision)
            options.epochs = 3; options.patience = 10
            let results = try TrainJob(options: options).run(stopRequested: { false })
            validation[precision] = results.map(\.validationNatsPerEvent)
            let model = try Data(contentsOf: URL(fileURLWithPath: options.output))
            let loaded = try model.withUnsafeBytes { try LSTMModel(safetensors: $0) }
            #expect(loaded.metadata["continuo.precision"] == precision.rawValue)
        }
        let fp32 = try #require(validation[.fp32]), bf16 = try #require(validation[.bf16])
        #expect(fp32.count == 3 && bf16.count == 3)
        #expect(fp32.last! < fp32.first! && bf16.last! < bf16.first!)
        #expect(abs(bf16.last! - fp32.last!) <= 0.02 * fp32.last!, "fp32 \(fp32), bf16 \(bf16)")
    }

    /// `train --finetune --from MODEL` starts from the model's weights, not from scratch.
    @Test func fineTuningStartsFromTheGivenModel() throws {
        let (folder, data) = try prepared()
        defer { try? FileManager.default.removeItem(at: folder) }
        var base = tinyOptions(data: data, output: folder.appendingPathComponent("base.safetensors").path)
        base.epochs = 2
        let baseResults = try TrainJob(options: base).run(stopRequested: { false })

        var fresh = tinyOptions(data: data, output: folder.appendingPathComponent("fresh.safetensors").path)
        fresh.epochs = 1; fresh.maxSteps = 1
        var tuned = fresh
        tuned.output = folder.appendingPathComponent("tuned.safetensors").path
        tuned.initialModel = base.output
        _ = try TrainJob(options: fresh).run(stopRequested: { false })
        _ = try TrainJob(options: tuned).run(stopRequested: { false })

        func loss(_ path: String) throws -> Double {
            let model = try ModelStore.load(path)
            return try ModelEvaluation.negativeLogLikelihood(model: model, pieces: ModelEvaluation.pieces(from: data), batch: 4, threads: 1).natsPerEvent
        }
        // One step from the trained model keeps most of what it learned; one step from scratch knows nothing.
        let tunedLoss = try loss(tuned.output), freshLoss = try loss(fresh.output)
        #expect(tunedLoss < freshLoss - 0.5)
        #expect(abs(tunedLoss - (baseResults.last?.validationNatsPerEvent ?? 0)) < 0.5)
    }
}
