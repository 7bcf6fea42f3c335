import CContinuoKernels

/// A weight matrix [rows, cols] quantised to int8 with one float scale per row, packed for the
/// VNNI kernel (see ContinuoKernels.h). 4x smaller than float32, which is what lets a step stay
/// inside the cache budget.
final class QuantizedMatrix {
    let rows: Int
    let cols: Int
    let paddedCols: Int
    private let packed: UnsafeMutablePointer<Int8>
    private let rowScales: UnsafeMutablePointer<Float>
    private let rowOffsets: UnsafeMutablePointer<Int32>

    init(rows: Int, cols: Int, weights: UnsafePointer<Float>) {
        self.rows = rows
        self.cols = cols
        paddedCols = ck_q8_padded_cols(cols)
        let paddedRows = ck_q8_padded_rows(rows)
        packed = UnsafeMutableRawPointer.allocate(byteCount: paddedRows * paddedCols, alignment: 64)
            .bindMemory(to: Int8.self, capacity: paddedRows * paddedCols)
        rowScales = .allocate(capacity: paddedRows)
        rowOffsets = .allocate(capacity: paddedRows)
        ck_q8_pack(rows, cols, weights, packed, rowScales, rowOffsets)
    }

    deinit {
        packed.deallocate()
        rowScales.deallocate()
        rowOffsets.deallocate()
    }

    /// y[b, :] (= or +=) W x[b, :] for `batch` rows of activations quantised by `QuantizedActivations`.
    func multiply(_ activations: QuantizedActivations, batch: Int, into y: UnsafeMutablePointer<Float>,
                  yStride: Int, accumulate: Bool) {
        ck_q8_matmul(rows, cols, packed, rowScales, rowOffsets, batch, activations.bytes, activations.stride,
                     activations.scales, y, yStride, accumulate ? 1 : 0)
    }
}

/// Scratch for activations quantised to uint8 (one scale per batch row).
final class QuantizedActivations {
    let capacity: Int
    let stride: Int
    let bytes: UnsafeMutablePointer<UInt8>
    let scales: UnsafeMutablePointer<Float>

    init(batchCapacity: Int, width: Int) {
        capacity = batchCapacity
        stride = (ck_q8_padded_cols(width) + 63) / 64 * 64
        bytes = .allocate(capacity: batchCapacity * stride)
        bytes.initialize(repeating: 128, count: batchCapacity * stride)
        scales = .allocate(capacity: batchCapacity)
        scales.initialize(repeating: 0, count: batchCapacity)
    }

    deinit {
        bytes.deallocate()
        scales.deallocate()
    }

    /// Quantises `batch` rows of `width` floats (row stride `width`).
    func quantize(_ x: UnsafePointer<Float>, batch: Int, width: Int) {
        let padded = ck_q8_padded_cols(width)
        for b in 0..<batch {
            scales[b] = ck_q8_quantize(width, padded, x + b * width, bytes + b * stride)
        }
    }
}
