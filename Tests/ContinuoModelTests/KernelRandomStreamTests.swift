import CContinuoKernels
import ContinuoRandom
import Testing
@testable import ContinuoModel

/// The C kernels draw dropout masks from their own copy of xoshiro256** (a call per element
/// into Swift would cost more than the mask). These hold that copy to `SeededRandom` exactly:
/// if they drift, a resumed training run no longer repeats the run it resumes.
@Suite struct KernelRandomStreamTests {
    @Test func cAndSwiftDrawTheSameStream() {
        for seed: UInt64 in [0, 1, 42, 0xDEAD_BEEF, .max] {
            var swift = SeededRandom(seed: seed)
            var c = swift
            let count = 1000
            var drawn = [UInt64](repeating: 0, count: count)
            c.withStateWords { words in ck_xoshiro256ss_fill(words, count, &drawn) }
            #expect(drawn == (0..<count).map { _ in swift.next() }, "seed \(seed)")
            #expect(c == swift, "seed \(seed): C left the state elsewhere")
        }
    }

    @Test func dropoutMaskDrawsOneUnitFloatPerElement() {
        var swift = SeededRandom(seed: 9)
        var c = swift
        let p: Float = 0.3
        var mask = [Float](repeating: -1, count: 1000)
        mask.withUnsafeMutableBufferPointer { c.fillDropoutMask($0.baseAddress!, count: $0.count, dropProbability: p) }
        let expected = (0..<1000).map { _ in swift.nextUnitFloat() < p ? 0 : 1 / (1 - p) }
        #expect(mask == expected)
        #expect(c == swift)
    }
}
