import ContinuoRandom

/// Training checkpoints: the model tensors plus `adam.m.<name>`, `adam.v.<name>`, the carried
/// stream state (`train.state.hidden`/`train.state.cell`, [N, B, H]) and, in metadata, the step
/// and the dropout generator's state, so a resumed run continues bit-identically. A checkpoint
/// is also a valid model file (extra tensors are ignored by `LSTMModel(safetensors:)`).
extension LSTMTrainer {
    public enum CheckpointKey {
        public static let step = "train.step"
        public static let randomState = "train.random_state"
        public static let batchSize = "train.batch_size"
        public static let firstMomentPrefix = "adam.m."
        public static let secondMomentPrefix = "adam.v."
        public static let stateHidden = "train.state.hidden"
        public static let stateCell = "train.state.cell"
        public static let precision = "train.precision"
    }

    /// The precision a checkpoint was trained in (fp32 for checkpoints older than the key).
    public static func checkpointPrecision(_ bytes: UnsafeRawBufferPointer) throws -> TrainingPrecision {
        let text = try SafetensorsHeader(parsing: bytes).metadata[CheckpointKey.precision] ?? TrainingPrecision.fp32.rawValue
        guard let precision = TrainingPrecision(rawValue: text) else {
            throw ModelError.invalidMetadata(key: CheckpointKey.precision, value: text)
        }
        return precision
    }

    /// Model file bytes of the current parameters.
    public func modelBytes(metadata extra: [String: String] = [:]) -> [UInt8] {
        model.safetensorsBytes(metadata: extra)
    }

    /// Checkpoint bytes (see the type comment).
    public func checkpointBytes(metadata extra: [String: String] = [:]) -> [UInt8] {
        let snapshot = model
        var writer = SafetensorsWriter()
        writer.metadata = metadata.merging(extra) { $1 }.merging(snapshot.architectureMetadata) { $1 }
        writer.metadata[CheckpointKey.step] = String(step)
        writer.metadata[CheckpointKey.randomState] = random.state.map { String($0, radix: 16) }.joined(separator: ",")
        writer.metadata[CheckpointKey.batchSize] = String(training.batchSize)
        writer.metadata[CheckpointKey.precision] = training.precision.rawValue
        let count = layout.totalCount
        let stateShape = [configuration.layerCount, training.batchSize, configuration.hiddenSize]
        return trainingState.hidden.withUnsafeBufferPointer { hidden in
            trainingState.cell.withUnsafeBufferPointer { cell in
                snapshot.addTensors(to: &writer, values: UnsafeBufferPointer(start: params, count: count), prefix: "")
                snapshot.addTensors(to: &writer, values: UnsafeBufferPointer(start: firstMoment, count: count),
                                    prefix: CheckpointKey.firstMomentPrefix)
                snapshot.addTensors(to: &writer, values: UnsafeBufferPointer(start: secondMoment, count: count),
                                    prefix: CheckpointKey.secondMomentPrefix)
                writer.add(CheckpointKey.stateHidden, shape: stateShape, values: hidden)
                writer.add(CheckpointKey.stateCell, shape: stateShape, values: cell)
                return writer.encode()
            }
        }
    }

    /// Resumes from checkpoint bytes. `configuration.batchSize` must match the checkpoint's.
    public convenience init(checkpoint bytes: UnsafeRawBufferPointer, configuration training: TrainingConfiguration,
                            expectedVocabularySize: Int? = nil) throws {
        let header = try SafetensorsHeader(parsing: bytes)
        let model = try LSTMModel(safetensors: bytes, expectedVocabularySize: expectedVocabularySize)
        let meta = header.metadata
        guard let stepText = meta[CheckpointKey.step] else { throw ModelError.missingMetadata(key: CheckpointKey.step) }
        guard let step = Int(stepText), step >= 0 else { throw ModelError.invalidMetadata(key: CheckpointKey.step, value: stepText) }
        guard let randomText = meta[CheckpointKey.randomState] else {
            throw ModelError.missingMetadata(key: CheckpointKey.randomState)
        }
        let words = randomText.split(separator: ",").compactMap { UInt64($0, radix: 16) }
        guard let random = SeededRandom(state: words) else {
            throw ModelError.invalidMetadata(key: CheckpointKey.randomState, value: randomText)
        }
        guard meta[CheckpointKey.batchSize] == String(training.batchSize) else {
            throw ModelError.invalidMetadata(key: CheckpointKey.batchSize, value: meta[CheckpointKey.batchSize] ?? "")
        }
        // Rounding differs between precisions, so only a same-precision resume continues exactly.
        let precision = try Self.checkpointPrecision(bytes)
        guard precision == training.precision else {
            throw ModelError.invalidConfiguration("the checkpoint was trained in \(precision.rawValue); resume it with precision \(precision.rawValue), not \(training.precision.rawValue)")
        }
        try self.init(model: model, configuration: training)
        let layout = self.layout
        try LSTMModel.readTensors(header: header, bytes: bytes, layout: layout, prefix: CheckpointKey.firstMomentPrefix,
                                  into: firstMoment)
        try LSTMModel.readTensors(header: header, bytes: bytes, layout: layout, prefix: CheckpointKey.secondMomentPrefix,
                                  into: secondMoment)
        let stateShape = [configuration.layerCount, training.batchSize, configuration.hiddenSize]
        for name in [CheckpointKey.stateHidden, CheckpointKey.stateCell] {
            guard let info = header.tensors[name] else { throw ModelError.missingTensor(name) }
            guard info.shape == stateShape else { throw ModelError.wrongShape(tensor: name, expected: stateShape, actual: info.shape) }
        }
        try trainingState.hidden.withUnsafeMutableBufferPointer {
            try header.readFloats(CheckpointKey.stateHidden, from: bytes, into: $0)
        }
        try trainingState.cell.withUnsafeMutableBufferPointer {
            try header.readFloats(CheckpointKey.stateCell, from: bytes, into: $0)
        }
        self.step = step
        self.random = random
    }
}
