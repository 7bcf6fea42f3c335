/// Model files: safetensors with PyTorch-compatible tensor names and the architecture in
/// `__metadata__`, so a file written by `torch` + `safetensors` with the same keys loads too.
extension LSTMModel {
    /// Metadata keys this module reads and writes; callers may add any others.
    public enum MetadataKey {
        public static let architecture = "continuo.architecture"
        public static let layers = "continuo.layers"
        public static let hiddenSize = "continuo.hidden_size"
        public static let embeddingSize = "continuo.embedding_size"
        public static let vocabularySize = "continuo.vocabulary_size"
    }

    static let architectureName = "lstm"

    /// safetensors bytes of the parameters (float32). Metadata = `self.metadata` + `extra`, with
    /// the architecture keys always taken from the configuration.
    public func safetensorsBytes(metadata extra: [String: String] = [:]) -> [UInt8] {
        parameters.withUnsafeBufferPointer { values in
            var writer = SafetensorsWriter()
            writer.metadata = metadata.merging(extra) { $1 }.merging(architectureMetadata) { $1 }
            addTensors(to: &writer, values: values, prefix: "")
            return writer.encode()
        }
    }

    /// Loads and validates a model file (see `SafetensorsHeader` for the structural checks).
    /// Extra tensors (e.g. optimiser state in a checkpoint) are ignored.
    public init(safetensors bytes: UnsafeRawBufferPointer, expectedVocabularySize: Int? = nil) throws {
        let header = try SafetensorsHeader(parsing: bytes)
        let configuration = try Self.configuration(from: header.metadata)
        if let expectedVocabularySize, expectedVocabularySize != configuration.vocabularySize {
            throw ModelError.vocabularyMismatch(expected: expectedVocabularySize, actual: configuration.vocabularySize)
        }
        let layout = ParameterLayout(configuration: configuration)
        var values = [Float](repeating: 0, count: layout.totalCount)
        try values.withUnsafeMutableBufferPointer { target in
            try Self.readTensors(header: header, bytes: bytes, layout: layout, prefix: "", into: target.baseAddress!)
        }
        try self.init(configuration: configuration, parameters: values, metadata: header.metadata)
    }

    var architectureMetadata: [String: String] {
        [MetadataKey.architecture: Self.architectureName,
         MetadataKey.layers: String(configuration.layerCount),
         MetadataKey.hiddenSize: String(configuration.hiddenSize),
         MetadataKey.embeddingSize: String(configuration.embeddingSize),
         MetadataKey.vocabularySize: String(configuration.vocabularySize)]
    }

    func addTensors(to writer: inout SafetensorsWriter, values: UnsafeBufferPointer<Float>, prefix: String) {
        for slot in layout.tensors {
            writer.add(prefix + slot.name, shape: slot.shape,
                       values: UnsafeBufferPointer(rebasing: values[slot.offset..<(slot.offset + slot.count)]))
        }
    }

    static func configuration(from metadata: [String: String]) throws -> LSTMConfiguration {
        func integer(_ key: String) throws -> Int {
            guard let text = metadata[key] else { throw ModelError.missingMetadata(key: key) }
            guard let value = Int(text), value > 0 else { throw ModelError.invalidMetadata(key: key, value: text) }
            return value
        }
        if let name = metadata[MetadataKey.architecture], name != architectureName {
            throw ModelError.invalidMetadata(key: MetadataKey.architecture, value: name)
        }
        let configuration = LSTMConfiguration(
            vocabularySize: try integer(MetadataKey.vocabularySize), embeddingSize: try integer(MetadataKey.embeddingSize),
            hiddenSize: try integer(MetadataKey.hiddenSize), layerCount: try integer(MetadataKey.layers))
        try configuration.validate()
        return configuration
    }

    /// Reads every tensor of `layout` (named `prefix + name`) into the flat buffer `target`,
    /// checking presence and shape first so no partial read happens on a bad file.
    static func readTensors(header: SafetensorsHeader, bytes: UnsafeRawBufferPointer, layout: ParameterLayout,
                            prefix: String, into target: UnsafeMutablePointer<Float>) throws {
        for slot in layout.tensors {
            let name = prefix + slot.name
            guard let info = header.tensors[name] else { throw ModelError.missingTensor(name) }
            guard info.shape == slot.shape else {
                throw ModelError.wrongShape(tensor: name, expected: slot.shape, actual: info.shape)
            }
            guard [.f32, .f16, .bf16].contains(info.dtype) else {
                throw ModelError.unknownDType(tensor: name, dtype: info.dtype.rawValue)
            }
        }
        for slot in layout.tensors {
            try header.readFloats(prefix + slot.name, from: bytes,
                                  into: UnsafeMutableBufferPointer(start: target + slot.offset, count: slot.count))
        }
    }
}
