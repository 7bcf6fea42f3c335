import ContinuoRandom

/// Model parameters as a value: one flat buffer in `ParameterLayout` order plus free-form
/// metadata that travels with the safetensors file.
public struct LSTMModel: Sendable {
    public let configuration: LSTMConfiguration
    public let layout: ParameterLayout
    /// Flat parameters, `layout.totalCount` floats; alignment padding is zero.
    public var parameters: [Float]
    /// Caller-defined string metadata (vocabulary version, data summary, validation loss, ...).
    public var metadata: [String: String]

    /// Freshly initialised like PyTorch: embedding ~ N(0, 1); LSTM and head ~ U(-1/sqrt(H), 1/sqrt(H)).
    /// The forget gate starts open: `bias_ih` forget slice = 1 and `bias_hh` forget slice = 0,
    /// so their sum (what the cell sees) is 1.
    public init(configuration: LSTMConfiguration, seed: UInt64) throws {
        try configuration.validate()
        self.configuration = configuration
        layout = ParameterLayout(configuration: configuration)
        metadata = [:]
        var random = SeededRandom(seed: seed)
        var values = [Float](repeating: 0, count: layout.totalCount)
        let bound = Float(1 / Double(configuration.hiddenSize).squareRoot())
        let hidden = configuration.hiddenSize
        for slot in layout.tensors {
            for index in slot.offset..<(slot.offset + slot.count) {
                values[index] = slot.name == "embedding.weight"
                    ? Self.standardNormal(&random) : random.nextFloat(in: -bound, bound)
            }
            if slot.name.hasPrefix("lstm.bias_ih") {
                for index in (slot.offset + hidden)..<(slot.offset + 2 * hidden) { values[index] = 1 }
            } else if slot.name.hasPrefix("lstm.bias_hh") {
                for index in (slot.offset + hidden)..<(slot.offset + 2 * hidden) { values[index] = 0 }
            }
        }
        parameters = values
    }

    /// Wraps existing flat parameters (`layout.totalCount` floats).
    public init(configuration: LSTMConfiguration, parameters: [Float], metadata: [String: String] = [:]) throws {
        try configuration.validate()
        let layout = ParameterLayout(configuration: configuration)
        guard parameters.count == layout.totalCount else {
            throw ModelError.shapeMismatch("flat parameters have \(parameters.count) floats, layout needs \(layout.totalCount)")
        }
        self.configuration = configuration
        self.layout = layout
        self.parameters = parameters
        self.metadata = metadata
    }

    /// A copy of one named tensor's values, or nil if the name is unknown.
    public func tensor(named name: String) -> [Float]? {
        guard let slot = layout.slot(named: name) else { return nil }
        return Array(parameters[slot.offset..<(slot.offset + slot.count)])
    }

    /// Overwrites one named tensor (used e.g. to load weights produced elsewhere).
    public mutating func setTensor(named name: String, to values: [Float]) throws {
        guard let slot = layout.slot(named: name) else { throw ModelError.missingTensor(name) }
        guard values.count == slot.count else {
            throw ModelError.shapeMismatch("'\(name)' needs \(slot.count) values, got \(values.count)")
        }
        parameters.replaceSubrange(slot.offset..<(slot.offset + slot.count), with: values)
    }

    private static func standardNormal(_ random: inout SeededRandom) -> Float {
        // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
        let u1 = 1 - Double(random.nextUnitFloat()), u2 = Double(random.nextUnitFloat())
        return Float((-2 * mathLog(u1)).squareRoot() * mathCos(2 * Double.pi * u2))
    }
}
