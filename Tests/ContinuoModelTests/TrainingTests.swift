import XCTest
@testable import ContinuoModel
import ContinuoRandom

final class TrainingTests: XCTestCase {
    /// Consecutive windows of `sequence` repeated forever, one stream per row (rows offset).
    private func windows(of sequence: [Int32], batch: Int, length: Int, count: Int) -> [TokenWindow] {
        (0..<count).map { w in
            var inputs: [Int32] = [], targets: [Int32] = []
            for b in 0..<batch {
                for t in 0..<length {
                    let position = w * length + t + b * 3
                    inputs.append(sequence[position % sequence.count])
                    targets.append(sequence[(position + 1) % sequence.count])
                }
            }
            return TokenWindow(inputs: inputs, targets: targets, resetRows: Array(repeating: w == 0, count: batch))
        }
    }

    func testTinyModelMemorisesRepeatingSequence() throws {
        let configuration = LSTMConfiguration(vocabularySize: 8, embeddingSize: 8, hiddenSize: 24, layerCount: 2)
        let model = try LSTMModel(configuration: configuration, seed: 1)
        let training = TrainingConfiguration(
            batchSize: 4, sequenceLength: 16,
            schedule: LearningRateSchedule(peak: 0.02, warmupSteps: 10, totalSteps: 400, minimumFraction: 0.1),
            weightDecay: 0, dropout: 0)
        let trainer = try LSTMTrainer(model: model, configuration: training)
        let sequence: [Int32] = [0, 1, 2, 3, 4, 5, 6, 7, 3, 5, 1, 6]
        var loss: Float = .infinity
        var steps = 0
        for window in windows(of: sequence, batch: 4, length: 16, count: 400) {
            loss = try trainer.trainStep(window)
            steps += 1
            if loss < 0.02 { break }
        }
        XCTAssertLessThan(loss, 0.05, "loss after \(steps) steps")
        // Evaluation (no dropout, own carried state) agrees once the state has seen a window.
        let evaluation = windows(of: sequence, batch: 4, length: 16, count: 4)
        XCTAssertGreaterThan(try trainer.validationLoss(evaluation.prefix(1)), 0)
        var sum = 0.0, count = 0
        for window in evaluation.dropFirst() {
            let (s, n) = try trainer.evaluate(window)
            sum += s
            count += n
        }
        XCTAssertLessThan(sum / Double(count), 0.05)
    }

    func testResumeFromCheckpointIsBitIdentical() throws {
        for precision in TrainingPrecision.allCases {
            try checkResumeIsBitIdentical(precision: precision)
        }
    }

    private func checkResumeIsBitIdentical(precision: TrainingPrecision) throws {
        let configuration = LSTMConfiguration(vocabularySize: 9, embeddingSize: 6, hiddenSize: 8, layerCount: 2)
        let model = try LSTMModel(configuration: configuration, seed: 5)
        let training = TrainingConfiguration(
            batchSize: 3, sequenceLength: 7,
            schedule: LearningRateSchedule(peak: 0.01, warmupSteps: 2, totalSteps: 10), dropout: 0.25,
            precision: precision)
        var random = SeededRandom(seed: 99)
        let stream = (0..<200).map { _ in Int32(random.next() % 9) }
        let data = windows(of: stream, batch: 3, length: 7, count: 6)

        let uninterrupted = try LSTMTrainer(model: model, configuration: training)
        var expectedLosses: [Float] = []
        for window in data { expectedLosses.append(try uninterrupted.trainStep(window)) }

        let first = try LSTMTrainer(model: model, configuration: training)
        for window in data.prefix(3) { try first.trainStep(window) }
        let checkpoint = first.checkpointBytes(metadata: ["note": "resume test"])
        let resumed = try checkpoint.withUnsafeBytes { try LSTMTrainer(checkpoint: $0, configuration: training) }
        XCTAssertEqual(resumed.step, 3)
        XCTAssertEqual(resumed.metadata["note"], "resume test")
        var resumedLosses: [Float] = []
        for window in data.dropFirst(3) { resumedLosses.append(try resumed.trainStep(window)) }

        XCTAssertEqual(resumedLosses, Array(expectedLosses.dropFirst(3)), "\(precision)")
        XCTAssertTrue(resumed.model.parameters == uninterrupted.model.parameters, "\(precision) parameters must be bit-identical")

        // The other precision rounds differently, so it may not pick the run up as if nothing changed.
        var other = training
        other.precision = precision == .fp32 ? .bf16 : .fp32
        XCTAssertThrowsError(try checkpoint.withUnsafeBytes { try LSTMTrainer(checkpoint: $0, configuration: other) }) { error in
            XCTAssertTrue("\(error)".contains("trained in \(precision.rawValue)"), "\(error)")
        }
    }

    /// bf16 operands change the products, not the algorithm: the same steps land near fp32's
    /// loss, and the bf16 run really differs (its products are rounded).
    func testBF16TrainingFollowsFP32() throws {
        let configuration = LSTMConfiguration(vocabularySize: 12, embeddingSize: 8, hiddenSize: 24, layerCount: 2)
        let model = try LSTMModel(configuration: configuration, seed: 3)
        let sequence: [Int32] = [1, 5, 2, 7, 3, 9, 4, 11, 2, 6]
        let data = windows(of: sequence, batch: 4, length: 16, count: 60)
        var finals: [TrainingPrecision: Float] = [:]
        var parameters: [TrainingPrecision: [Float]] = [:]
        for precision in TrainingPrecision.allCases {
            let training = TrainingConfiguration(batchSize: 4, sequenceLength: 16,
                                                 schedule: LearningRateSchedule(peak: 0.02, warmupSteps: 5, totalSteps: 60),
                                                 dropout: 0, precision: precision)
            let trainer = try LSTMTrainer(model: model, configuration: training)
            var losses: [Float] = []
            for window in data { losses.append(try trainer.trainStep(window)) }
            XCTAssertLessThan(losses.last!, losses.first! / 4, "\(precision) training must learn the cycle")
            finals[precision] = losses.suffix(5).reduce(0, +) / 5
            parameters[precision] = trainer.model.parameters
        }
        XCTAssertNotEqual(parameters[.fp32], parameters[.bf16], "bf16 products must actually round")
        XCTAssertEqual(finals[.bf16]!, finals[.fp32]!, accuracy: max(0.02, 0.1 * finals[.fp32]!))
    }

    func testScheduleWarmsUpAndDecays() {
        let schedule = LearningRateSchedule(peak: 1, warmupSteps: 10, totalSteps: 110, minimumFraction: 0.1)
        XCTAssertEqual(schedule.learningRate(atStep: 0), 0.1, accuracy: 1e-6)
        XCTAssertEqual(schedule.learningRate(atStep: 9), 1, accuracy: 1e-6)
        XCTAssertEqual(schedule.learningRate(atStep: 60), 0.55, accuracy: 1e-6)
        XCTAssertEqual(schedule.learningRate(atStep: 110), 0.1, accuracy: 1e-6)
        XCTAssertEqual(schedule.learningRate(atStep: 500), 0.1, accuracy: 1e-6)
    }

    func testBadWindowsAreRejected() throws {
        let model = try LSTMModel(configuration: LSTMConfiguration(vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layerCount: 1), seed: 1)
        let trainer = try LSTMTrainer(model: model, configuration: TrainingConfiguration(batchSize: 2, sequenceLength: 3))
        XCTAssertThrowsError(try trainer.trainStep(inputs: [0, 1, 2, 3, 4, 0], targets: [0, 1, 2, 3, 4, 9], resetRows: [true, true])) {
            XCTAssertEqual($0 as? ModelError, .tokenOutOfRange(token: 9, vocabularySize: 5))
        }
        XCTAssertThrowsError(try trainer.trainStep(inputs: [0, 1], targets: [0, 1], resetRows: [true, true]))
    }
}
