import Foundation
@testable import ContinuoModel

/// Independent float64 implementation of the PyTorch equations (no BLAS, no kernels), used as
/// ground truth for gradient checks and forward comparisons.
struct ReferenceLSTM {
    let configuration: LSTMConfiguration
    let layout: ParameterLayout
    var parameters: [Double]

    init(model: LSTMModel) {
        configuration = model.configuration
        layout = model.layout
        parameters = model.parameters.map(Double.init)
    }

    /// Logits after each token of `tokens`, starting from a zero state.
    func logits(tokens: [Int]) -> [[Double]] {
        let c = configuration, H = c.hiddenSize, E = c.embeddingSize, V = c.vocabularySize
        var h = [[Double]](repeating: [Double](repeating: 0, count: H), count: c.layerCount)
        var cell = h
        var result: [[Double]] = []
        let p = parameters
        for token in tokens {
            var x = (0..<E).map { p[layout.embedding.offset + token * E + $0] }
            for layer in 0..<c.layerCount {
                let inputSize = x.count
                let wih = layout.weightIH[layer].offset, whh = layout.weightHH[layer].offset
                let bih = layout.biasIH[layer].offset, bhh = layout.biasHH[layer].offset
                var pre = [Double](repeating: 0, count: 4 * H)
                for r in 0..<(4 * H) {
                    var s = p[bih + r] + p[bhh + r]
                    for k in 0..<inputSize { s += p[wih + r * inputSize + k] * x[k] }
                    for k in 0..<H { s += p[whh + r * H + k] * h[layer][k] }
                    pre[r] = s
                }
                for j in 0..<H {
                    let i = sigmoid(pre[j]), f = sigmoid(pre[H + j]), g = tanh(pre[2 * H + j]), o = sigmoid(pre[3 * H + j])
                    cell[layer][j] = f * cell[layer][j] + i * g
                    h[layer][j] = o * tanh(cell[layer][j])
                }
                x = h[layer]
            }
            result.append((0..<V).map { v in
                var s = p[layout.headBias.offset + v]
                for k in 0..<H { s += p[layout.headWeight.offset + v * H + k] * x[k] }
                return s
            })
        }
        return result
    }

    /// Mean cross-entropy over a [batch, length] row-major window, zero initial state, no dropout.
    func meanLoss(inputs: [Int32], targets: [Int32], batch: Int, length: Int) -> Double {
        var total = 0.0
        for b in 0..<batch {
            let rowLogits = logits(tokens: (0..<length).map { Int(inputs[b * length + $0]) })
            for t in 0..<length {
                let z = rowLogits[t], m = z.max()!
                let logSum = log(z.reduce(0) { $0 + exp($1 - m) }) + m
                total += logSum - z[Int(targets[b * length + t])]
            }
        }
        return total / Double(batch * length)
    }

    private func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
}

func maxAbsDifference(_ a: some Collection<Float>, _ b: some Collection<Double>) -> Double {
    zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
}
