// The sampler draws from the package's one seeded generator; whoever samples gets it too.
@_exported import ContinuoRandom
