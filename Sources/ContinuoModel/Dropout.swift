import CContinuoKernels

// Inverted dropout between LSTM layers (site l feeds layer l + 1) and before the head (site N-1).
extension LSTMTrainer {
    /// Returns the input to use downstream: `input` itself when dropout is off, else
    /// input * mask with a fresh mask from the trainer's seeded generator.
    func dropoutForward(site: Int, count: Int, input: UnsafePointer<Float>, active: Bool) -> UnsafePointer<Float> {
        guard active, training.dropout > 0 else { return input }
        let mask = workspace.dropoutMasks[site].pointer, output = workspace.droppedInputs[site].pointer
        random.fillDropoutMask(mask, count: count, dropProbability: training.dropout)
        ck_multiply(count, input, mask, output)
        return UnsafePointer(output)
    }

    /// outputGradients *= mask of `site` (the same mask scales the gradient).
    func dropoutBackward(site: Int, count: Int) {
        guard training.dropout > 0 else { return }
        let gradients = workspace.outputGradients.pointer
        ck_multiply(count, gradients, workspace.dropoutMasks[site].pointer, gradients)
    }
}
