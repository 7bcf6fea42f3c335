/// Architecture: embedding (V x E) -> `layerCount` stacked LSTMs of width H -> linear head (V).
/// V has no default: the vocabulary belongs to ContinuoEncoding, which this module cannot see,
/// and a guessed size fails only when a model meets real tokens.
public struct LSTMConfiguration: Sendable, Hashable {
    public var vocabularySize: Int
    public var embeddingSize: Int
    public var hiddenSize: Int
    public var layerCount: Int

    public init(vocabularySize: Int, embeddingSize: Int = 256, hiddenSize: Int = 512, layerCount: Int = 2) {
        self.vocabularySize = vocabularySize
        self.embeddingSize = embeddingSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
    }

    /// Rejects sizes that are non-positive or big enough to overflow index arithmetic.
    public func validate() throws {
        let limit = 1 << 20
        for (name, value) in [("vocabularySize", vocabularySize), ("embeddingSize", embeddingSize),
                              ("hiddenSize", hiddenSize), ("layerCount", layerCount)] {
            guard value > 0, value <= limit else {
                throw ModelError.invalidConfiguration("\(name) = \(value) must be in 1...\(limit)")
            }
        }
        guard layerCount <= 64 else { throw ModelError.invalidConfiguration("layerCount \(layerCount) > 64") }
    }

    /// Input width of layer `layer`: E for the first layer, H above it.
    public func inputSize(ofLayer layer: Int) -> Int { layer == 0 ? embeddingSize : hiddenSize }

    public var gateWidth: Int { 4 * hiddenSize }

    public var parameterCount: Int { ParameterLayout(configuration: self).parameterCount }
}
