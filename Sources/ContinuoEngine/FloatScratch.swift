/// A fixed block of floats owned by a reference, so that a slot's logits can be written by the
/// model while its state is passed `inout` (no overlapping access to one struct), and swapped
/// or copied without touching the heap.
final class FloatScratch {
    let buffer: UnsafeMutableBufferPointer<Float>

    init(count: Int) {
        buffer = .allocate(capacity: max(1, count))
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    func copy(from other: FloatScratch) {
        _ = buffer.update(fromContentsOf: other.buffer)
    }

    /// Whether every value is a finite number (a model that blew up gives NaN or infinity).
    var isFinite: Bool {
        for value in buffer where !value.isFinite { return false }
        return true
    }
}
