// The sampler draws from the package's one seeded generator; whoever samples gets it too.
@_exported import ContinuoRandom

/// The sampler's earlier name for `SeededRandom`, still used by the engine.
public typealias SeededGenerator = SeededRandom
