import CContinuoMath

/// Instruction sets the CPU and OS offer (cpuid + xgetbv), whatever the math library chose.
public struct CPUFeatures: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let avx2 = CPUFeatures(rawValue: UInt32(CM_CPU_AVX2))
    public static let fma = CPUFeatures(rawValue: UInt32(CM_CPU_FMA))
    public static let avx512 = CPUFeatures(rawValue: UInt32(CM_CPU_AVX512))
    public static let avx512VNNI = CPUFeatures(rawValue: UInt32(CM_CPU_AVX512_VNNI))
    public static let avx512BF16 = CPUFeatures(rawValue: UInt32(CM_CPU_AVX512_BF16))
    public static let amxBF16 = CPUFeatures(rawValue: UInt32(CM_CPU_AMX_BF16))
    public static let amxInt8 = CPUFeatures(rawValue: UInt32(CM_CPU_AMX_INT8))
    public static let avxVNNI = CPUFeatures(rawValue: UInt32(CM_CPU_AVX_VNNI))

    public static var current: CPUFeatures { CPUFeatures(rawValue: UInt32(cm_cpu_features())) }

    public var hasNativeBF16: Bool { !isDisjoint(with: [.avx512BF16, .amxBF16]) }

    public var names: [String] {
        let named: [(CPUFeatures, String)] = [(.avx2, "AVX2"), (.fma, "FMA"), (.avx512, "AVX-512"),
                                              (.avx512VNNI, "AVX512_VNNI"), (.avx512BF16, "AVX512_BF16"),
                                              (.amxBF16, "AMX-BF16"), (.amxInt8, "AMX-INT8"), (.avxVNNI, "AVX_VNNI")]
        return named.filter { contains($0.0) }.map(\.1)
    }
}

/// What runs the matrix products: oneDNN's version, its ISA, and the implementation it picks
/// for the trainer's main product in each precision, plus a warning when that is worse than the
/// CPU allows. `train` and `bench model` print it, so a slow path is never silent.
public struct MathKernels: Sendable {
    public let library: String
    public let isa: String
    public let cpu: CPUFeatures
    public let float32Implementation: String
    public let bf16Implementation: String

    /// The implementation the trainer's products run on in `precision`.
    public func implementation(for precision: TrainingPrecision) -> String {
        precision == .bf16 ? bf16Implementation : float32Implementation
    }

    /// Probes with the shape of one layer's input projection over a 64 x 128 window.
    public static func probe(rows: Int = 8192, inputs: Int = 512, outputs: Int = 2048) -> MathKernels {
        let version = Int(cm_library_version())
        let float32 = implementation(rows, outputs, inputs, bf16: false) ?? "unavailable"
        // Without native bf16 the products round their operands and run on the float32 kernels
        // (faster than oneDNN's emulated bf16, and below AVX-512 the only way; see Matmul.c).
        let bf16 = cm_bf16_native() != 0 ? implementation(rows, outputs, inputs, bf16: true) ?? "unavailable"
                                         : "\(float32) on bf16-rounded operands"
        return MathKernels(library: "oneDNN \(version / 10000).\(version / 100 % 100).\(version % 100)",
                           isa: isaName(Int(cm_effective_isa())), cpu: .current,
                           float32Implementation: float32, bf16Implementation: bf16)
    }

    private static func implementation(_ m: Int, _ n: Int, _ k: Int, bf16: Bool) -> String? {
        var text = [CChar](repeating: 0, count: 128)
        guard cm_matmul_implementation(m, n, k, bf16 ? 1 : 0, &text, text.count) == 0 else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func isaName(_ isa: Int) -> String {
        switch isa {
        case 0x1: "sse41"
        case 0x3: "avx"
        case 0x7: "avx2"
        case 0x407: "avx2_vnni"
        case 0x27: "avx512_core"
        case 0x67: "avx512_core_vnni"
        case 0xe7: "avx512_core_bf16"
        case 0x3e7: "avx512_core_amx"
        default: "isa 0x" + String(isa, radix: 16)
        }
    }

    /// Why the products run slower than this CPU could, or nil when they do not.
    public var warnings: [String] {
        var found: [String] = []
        let generic = ["ref", "gemm:ref"]
        if generic.contains(where: { float32Implementation.hasPrefix($0) }) || float32Implementation.hasPrefix("unavailable") {
            found.append("float32 products run oneDNN's reference path (\(float32Implementation)): expect them many times slower")
        }
        if cpu.contains(.avx512), !isa.hasPrefix("avx512") {
            found.append("the CPU has AVX-512 but oneDNN runs \(isa) (DNNL_MAX_CPU_ISA or ONEDNN_MAX_CPU_ISA set?)")
        } else if cpu.contains(.avx2), isa == "sse41" || isa == "avx" {
            found.append("the CPU has AVX2 but oneDNN runs \(isa)")
        }
        if cpu.hasNativeBF16, !(bf16Implementation.contains("bf16") || bf16Implementation.contains("amx")) {
            found.append("the CPU multiplies bf16 natively but oneDNN's bf16 products run \(bf16Implementation)")
        }
        return found
    }

    /// One line per fact, for `train` and `bench model`.
    public var summary: [String] {
        let features = cpu.names.isEmpty ? "none of AVX2/AVX-512/AMX" : cpu.names.joined(separator: " ")
        var lines = ["math: \(library), ISA \(isa), \(MathThreads.current) thread(s); CPU offers \(features)",
                     "math: fp32 products on \(float32Implementation); bf16 products on \(bf16Implementation)\(cpu.hasNativeBF16 ? "" : " (this CPU has no AVX512_BF16 or AMX: bf16 values, float32 kernels)")"]
        lines += warnings.map { "WARNING: \($0)" }
        return lines
    }
}
