import CContinuoKernels
import ContinuoRandom

extension SeededRandom {
    /// Dropout mask of `count` floats (0 or 1/(1-p)), advancing this generator exactly as
    /// `count` calls to `next()` would.
    mutating func fillDropoutMask(_ mask: UnsafeMutablePointer<Float>, count: Int, dropProbability: Float) {
        withStateWords { words in ck_fill_dropout_mask(words, count, dropProbability, mask) }
    }
}
