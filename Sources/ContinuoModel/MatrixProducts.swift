import CContinuoMath

/// How many threads the matrix products may use. ContinuoModel never starts threads itself;
/// callers choose (1 for the real-time daemon, all cores for training). Applies to products
/// started on any thread from then on.
public enum MathThreads {
    public static func set(_ count: Int) { cm_set_threads(Int32(max(1, count))) }
    public static var current: Int { Int(cm_threads()) }
}

/// One operand of a product: float32, or a bf16 (or bf16-valued float32) copy kept by the caller
/// (weights reused by many products).
struct MatrixOperand {
    let pointer: UnsafeRawPointer
    let type: cm_type

    static func float32(_ pointer: UnsafePointer<Float>) -> MatrixOperand { MatrixOperand(pointer: UnsafeRawPointer(pointer), type: cm_f32) }
    static func float32(_ pointer: UnsafeMutablePointer<Float>) -> MatrixOperand { .float32(UnsafePointer(pointer)) }
}

/// Row-major C = alpha * op(A) * op(B) + beta * C with op(X) = X or X^T, accumulated in float32;
/// with `bf16` the operands are rounded to bf16 first (those given as float32, per call).
@inline(__always)
func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
          a: MatrixOperand, lda: Int, b: MatrixOperand, ldb: Int,
          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, bf16: Bool) {
    let status = cm_matmul(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a.pointer, a.type, lda,
                           b.pointer, b.type, ldb, beta, c, ldc, bf16 ? 1 : 0)
    // oneDNN refuses only shapes we never form or memory it cannot get: a bug or an exhausted machine.
    precondition(status == 0, "oneDNN matmul \(m)x\(n)x\(k) (bf16: \(bf16)) failed with status \(status)")
}

/// Float32 product of float32 operands.
@inline(__always)
func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
         a: .float32(a), lda: lda, b: .float32(b), ldb: ldb, beta: beta, c: c, ldc: ldc, bf16: false)
}

/// Row-major y = alpha * op(A) x + beta * y with A [m, n]: a one-row product, which oneDNN
/// runs on its matrix-vector kernels.
@inline(__always)
func gemv(transpose: Bool, m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
          x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>) {
    if transpose {
        gemm(transposeA: false, transposeB: false, m: 1, n: n, k: m, alpha: alpha, a: x, lda: m, b: a, ldb: lda,
             beta: beta, c: y, ldc: n)
    } else {
        gemm(transposeA: false, transposeB: true, m: 1, n: m, k: n, alpha: alpha, a: x, lda: n, b: a, ldb: lda,
             beta: beta, c: y, ldc: m)
    }
}

/// y += alpha * x
@inline(__always)
func axpy(_ count: Int, alpha: Float = 1, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
    for i in 0..<count { y[i] += alpha * x[i] }
}

/// An owned, 64-byte aligned float buffer for scratch and caches (no CoW, no bounds checks).
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * 4, alignment: 64)
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: max(1, count))
    }

    deinit { pointer.deallocate() }

    subscript(offset: Int) -> UnsafeMutablePointer<Float> { pointer + offset }

    func zero() { pointer.update(repeating: 0, count: count) }
}
