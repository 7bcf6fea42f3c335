import ArgumentParser

/// The LSTM's shape, for every command that builds a model from scratch (`train`, `bench
/// model`): one spelling, one set of defaults, one check.
struct ModelShapeOptions: ParsableArguments {
    @Option(help: "LSTM layers.") var layers = 2
    @Option(help: "Hidden units per layer.") var hidden = 512
    @Option(help: "Embedding size.") var embed = 256

    func validate() throws {
        guard layers >= 1, hidden >= 1, embed >= 1 else {
            throw ValidationError("--layers, --hidden and --embed must be at least 1")
        }
    }
}
