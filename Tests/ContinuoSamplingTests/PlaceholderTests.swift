import Testing
@testable import ContinuoSampling
