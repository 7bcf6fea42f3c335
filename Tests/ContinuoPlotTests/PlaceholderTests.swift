import Testing
@testable import ContinuoPlot
