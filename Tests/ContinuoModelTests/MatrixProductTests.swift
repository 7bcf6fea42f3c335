import CContinuoMath
import ContinuoRandom
import Foundation
import Testing
@testable import ContinuoModel

/// The products every float path and the trainer run on, checked against float64 sums.
@Suite struct MatrixProductTests {
    struct Shape: CustomStringConvertible, Sendable {
        var m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool
        var description: String { "\(m)x\(n)x\(k) \(transposeA ? "T" : "N")\(transposeB ? "T" : "N")" }
    }

    /// Every transpose combination, at matrix-vector sizes (which take oneDNN's sgemm) and blocked ones.
    static let shapes: [Shape] = [1, 3, 16, 17, 37].flatMap { m in
        [(false, false), (false, true), (true, false), (true, true)].map { Shape(m: m, n: 29, k: 53, transposeA: $0.0, transposeB: $0.1) }
    }

    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in Float(random.nextUnitFloat()) - 0.5 }
    }

    /// C = alpha op(A) op(B) + beta C in float64, with leading dimensions wider than the rows.
    static func reference(_ s: Shape, alpha: Float, a: [Float], lda: Int, b: [Float], ldb: Int,
                          beta: Float, c: [Float], ldc: Int) -> [Double] {
        var out = c.map(Double.init)
        for i in 0..<s.m {
            for j in 0..<s.n {
                var sum = 0.0
                for p in 0..<s.k {
                    let x = s.transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = s.transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                out[i * ldc + j] = Double(alpha) * sum + Double(beta) * Double(c[i * ldc + j])
            }
        }
        return out
    }

    func check(_ s: Shape, bf16: Bool, alpha: Float, beta: Float) throws {
        let lda = (s.transposeA ? s.m : s.k) + 3, ldb = (s.transposeB ? s.k : s.n) + 5, ldc = s.n + 2
        let a = Self.values((s.transposeA ? s.k : s.m) * lda, seed: 1)
        let b = Self.values((s.transposeB ? s.n : s.k) * ldb, seed: 2)
        var c = Self.values(s.m * ldc, seed: 3)
        // bf16 products are exact sums of rounded operands, so the reference rounds them too.
        let round = { (x: [Float]) -> [Float] in
            var halves = [UInt16](repeating: 0, count: x.count), back = [Float](repeating: 0, count: x.count)
            cm_to_bf16(x.count, x, &halves)
            cm_from_bf16(x.count, halves, &back)
            return back
        }
        let expected = Self.reference(s, alpha: alpha, a: bf16 ? round(a) : a, lda: lda, b: bf16 ? round(b) : b, ldb: ldb,
                                      beta: beta, c: c, ldc: ldc)
        let status = a.withUnsafeBytes { ap in
            b.withUnsafeBytes { bp in
                cm_matmul(s.transposeA ? 1 : 0, s.transposeB ? 1 : 0, s.m, s.n, s.k, alpha, ap.baseAddress, cm_f32, lda,
                          bp.baseAddress, cm_f32, ldb, beta, &c, ldc, bf16 ? 1 : 0)
            }
        }
        #expect(status == 0)
        var worst = 0.0
        for i in 0..<s.m { for j in 0..<s.n { worst = max(worst, abs(Double(c[i * ldc + j]) - expected[i * ldc + j])) } }
        #expect(worst < 1e-4, "\(s) bf16=\(bf16) alpha=\(alpha) beta=\(beta): max error \(worst)")
        // Columns past n belong to the caller and stay untouched.
        let untouched = Self.values(s.m * ldc, seed: 3)
        for i in 0..<s.m { for j in s.n..<ldc { #expect(c[i * ldc + j] == untouched[i * ldc + j]) } }
    }

    @Test(arguments: shapes)
    func float32ProductsMatchFloat64(shape: Shape) throws {
        try check(shape, bf16: false, alpha: 1, beta: 0)
        try check(shape, bf16: false, alpha: 0.5, beta: 1)
        try check(shape, bf16: false, alpha: -2, beta: 0.25)
    }

    @Test(arguments: shapes.filter { $0.m > 16 || $0.m == 1 })
    func bf16ProductsSumRoundedOperandsInFloat32(shape: Shape) throws {
        try check(shape, bf16: true, alpha: 1, beta: 0)
        try check(shape, bf16: true, alpha: 1, beta: 1)
    }

    /// Where oneDNN has no bf16 matmul (below AVX-512), bf16 products still form the same sums.
    @Test(arguments: shapes.filter { $0.m > 16 || $0.m == 1 })
    func bf16ProductsWithoutABF16MatmulSumTheSameRoundedOperands(shape: Shape) throws {
        cm_emulate_bf16_on_this_thread(1)
        defer { cm_emulate_bf16_on_this_thread(0) }
        try check(shape, bf16: true, alpha: 1, beta: 0)
        try check(shape, bf16: true, alpha: 0.5, beta: 1)
    }

    /// The wrappers the model code calls: gemv in both orientations.
    @Test func gemvIsAOneRowProduct() {
        let m = 7, n = 11, lda = 13
        let a = Self.values(m * lda, seed: 4), x = Self.values(max(m, n), seed: 5)
        var y = [Float](repeating: 1, count: max(m, n))
        a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in
            gemv(transpose: false, m: m, n: n, a: ap.baseAddress!, lda: lda, x: xp.baseAddress!, beta: 1, y: &y)
        } }
        for i in 0..<m {
            let expected = 1 + (0..<n).reduce(0.0) { $0 + Double(a[i * lda + $1]) * Double(x[$1]) }
            #expect(abs(Double(y[i]) - expected) < 1e-5)
        }
        var z = [Float](repeating: 0, count: n)
        a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in
            gemv(transpose: true, m: m, n: n, a: ap.baseAddress!, lda: lda, x: xp.baseAddress!, beta: 0, y: &z)
        } }
        for j in 0..<n {
            let expected = (0..<m).reduce(0.0) { $0 + Double(a[$1 * lda + j]) * Double(x[$1]) }
            #expect(abs(Double(z[j]) - expected) < 1e-5)
        }
    }

    /// Round to nearest, ties to even; infinities and NaN survive; widening back is exact.
    @Test func bf16RoundsToNearestEven() {
        let cases: [(UInt32, UInt16)] = [
            (0x3F80_0000, 0x3F80), // 1.0 exactly
            (0x3F80_8000, 0x3F80), // halfway, even below
            (0x3F81_8000, 0x3F82), // halfway, even above
            (0x3F80_8001, 0x3F81), // just above halfway
            (0xBF80_7FFF, 0xBF80), // just below halfway, negative
            (0x7F80_0000, 0x7F80), // +inf
            (0x7F7F_FFFF, 0x7F80), // largest float rounds up to inf
        ]
        for (bits, expected) in cases {
            var out: UInt16 = 0
            var value = Float(bitPattern: bits)
            cm_to_bf16(1, &value, &out)
            #expect(out == expected, "0x\(String(bits, radix: 16)) -> 0x\(String(out, radix: 16))")
        }
        var nan = Float.nan, out: UInt16 = 0, back: Float = 0
        cm_to_bf16(1, &nan, &out)
        cm_from_bf16(1, &out, &back)
        #expect(back.isNaN)
        var half: UInt16 = 0x4049 // 3.140625
        cm_from_bf16(1, &half, &back)
        #expect(back == 3.140625)
    }

    /// Products run on many threads at once (the daemon's instances, eval's rows): each thread
    /// has its own primitives, and results do not mix.
    @Test func concurrentProductsOnManyThreadsStayCorrect() async throws {
        let results = await withTaskGroup(of: Bool.self) { group in
            for t in 0..<8 {
                group.addTask {
                    let s = Shape(m: 20 + t, n: 31, k: 40 + t, transposeA: t % 2 == 1, transposeB: t % 3 == 0)
                    let lda = s.transposeA ? s.m : s.k, ldb = s.transposeB ? s.k : s.n
                    let a = Self.values(s.m * s.k, seed: UInt64(10 + t)), b = Self.values(s.k * s.n, seed: UInt64(20 + t))
                    let expected = Self.reference(s, alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: 0,
                                                  c: [Float](repeating: 0, count: s.m * s.n), ldc: s.n)
                    for _ in 0..<50 {
                        var c = [Float](repeating: 0, count: s.m * s.n)
                        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                            gemm(transposeA: s.transposeA, transposeB: s.transposeB, m: s.m, n: s.n, k: s.k,
                                 a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb, beta: 0, c: &c, ldc: s.n)
                        } }
                        if zip(c, expected).contains(where: { abs(Double($0) - $1) > 1e-4 }) { return false }
                    }
                    return true
                }
            }
            var all: [Bool] = []
            for await ok in group { all.append(ok) }
            return all
        }
        #expect(results.count == 8 && results.allSatisfy { $0 })
    }

    /// What `train` and `bench model` print comes from oneDNN itself, and names the CPU's sets.
    @Test func theKernelReportNamesWhatRuns() {
        let kernels = MathKernels.probe(rows: 256, inputs: 64, outputs: 128)
        #expect(kernels.library.hasPrefix("oneDNN 2."))
        #expect(!kernels.float32Implementation.isEmpty && !kernels.float32Implementation.hasPrefix("unavailable"))
        #expect(!kernels.bf16Implementation.isEmpty)
        #expect(kernels.summary.first?.contains(kernels.isa) == true)
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flagsLine = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        #expect(kernels.cpu.contains(.avx512) == flags.isSuperset(of: ["avx512f", "avx512dq", "avx512bw", "avx512vl"]))
        #expect(kernels.cpu.contains(.avx2) == flags.contains("avx2"))
        #expect(kernels.cpu.hasNativeBF16 == (flags.contains("avx512_bf16") || flags.contains("amx_bf16")))
        #expect(kernels.warnings.isEmpty, "\(kernels.warnings)")
    }
}
