import XCTest
@testable import ContinuoModel
import ContinuoRandom

final class GradientCheckTests: XCTestCase {
    /// Analytic float32 gradients vs central differences of the float64 reference, for every
    /// element of every parameter tensor of a tiny 2-layer model.
    func testGradientsMatchFiniteDifferencesForEveryTensor() throws {
        let configuration = LSTMConfiguration(vocabularySize: 7, embeddingSize: 5, hiddenSize: 4, layerCount: 2)
        var model = try LSTMModel(configuration: configuration, seed: 3)
        // Larger weights than the default init make every gate matter to the gradient.
        model.parameters = model.parameters.map { $0 * 3 }
        let batch = 2, length = 5
        let training = TrainingConfiguration(batchSize: batch, sequenceLength: length, dropout: 0)
        let trainer = try LSTMTrainer(model: model, configuration: training)
        var random = SeededRandom(seed: 11)
        let inputs = (0..<(batch * length)).map { _ in Int32(random.next() % 7) }
        let targets = (0..<(batch * length)).map { _ in Int32(random.next() % 7) }
        let loss = try trainer.computeGradients(TokenWindow(inputs: inputs, targets: targets, resetRows: [true, true]))
        let analytic = trainer.gradients

        var reference = ReferenceLSTM(model: model)
        let referenceLoss = reference.meanLoss(inputs: inputs, targets: targets, batch: batch, length: length)
        XCTAssertEqual(Double(loss), referenceLoss, accuracy: 1e-5)

        let epsilon = 1e-5
        var checked = 0
        for slot in model.layout.tensors {
            var worst = 0.0
            for index in slot.offset..<(slot.offset + slot.count) {
                let saved = reference.parameters[index]
                reference.parameters[index] = saved + epsilon
                let plus = reference.meanLoss(inputs: inputs, targets: targets, batch: batch, length: length)
                reference.parameters[index] = saved - epsilon
                let minus = reference.meanLoss(inputs: inputs, targets: targets, batch: batch, length: length)
                reference.parameters[index] = saved
                let numeric = (plus - minus) / (2 * epsilon)
                let error = abs(Double(analytic[index]) - numeric)
                worst = max(worst, error / (1e-4 + abs(numeric)))
                XCTAssertLessThan(error, 2e-5 + 2e-3 * abs(numeric),
                                  "\(slot.name)[\(index - slot.offset)]: analytic \(analytic[index]) vs numeric \(numeric)")
                checked += 1
            }
            XCTAssertLessThan(worst, 0.05, slot.name)
        }
        XCTAssertEqual(checked, model.layout.parameterCount)
    }
}
