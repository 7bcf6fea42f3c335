import ContinuoTestSupport
import Foundation
import Testing

/// `bench model` says which kernels run the products, and says it loudly when oneDNN is held
/// below what the CPU offers.
@Suite struct KernelReportTests {
    let tiny = ["bench", "model", "--hidden", "16", "--embed", "8", "--layers", "1", "--steps", "20", "--batch", "2",
                "--train-batch", "4", "--train-seq", "8", "--train-steps", "1"]

    func benchJSON(environment: [String: String] = [:]) throws -> [String: Any] {
        let run = try ChildProcess.run(CLITests.binary.path, tiny + ["--json"], environment: environment, timeout: 120)
        #expect(run.status.code == 0, "\(run.errors)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
    }

    @Test func benchModelReportsBothPrecisionsAndTheirKernels() throws {
        let figures = try benchJSON()
        let kernels = try #require(figures["kernels"] as? [String: Any])
        #expect((kernels["library"] as? String)?.hasPrefix("oneDNN") == true)
        #expect((kernels["fp32"] as? String)?.isEmpty == false)
        #expect((kernels["warnings"] as? [Any])?.isEmpty == true)
        let train = try #require((figures["train"] as? [String: Any])?["precisions"] as? [String: [String: Any]])
        for precision in ["fp32", "bf16"] {
            let tokens = try #require(train[precision]?["tokens_per_second"] as? Double, "\(precision)")
            #expect(tokens > 0)
            #expect(train[precision]?["kernel"] as? String == kernels[precision] as? String)
        }
        let step = try #require(figures["step"] as? [String: [String: Any]])
        #expect((step["float32"]?["median_us"] as? Double ?? 0) > 0 && (step["int8"]?["median_us"] as? Double ?? 0) > 0)
    }

    /// oneDNN capped at SSE4.1 on a CPU with AVX2 or better: the generic path is named, not silent.
    @Test func aCappedMathLibraryIsWarnedAbout() throws {
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        try #require(flags.contains(" avx2"), "this test needs a CPU with AVX2 to hold oneDNN below it")
        let figures = try benchJSON(environment: ["ONEDNN_MAX_CPU_ISA": "SSE41"])
        let kernels = try #require(figures["kernels"] as? [String: Any])
        #expect(kernels["isa"] as? String == "sse41")
        let warnings = (kernels["warnings"] as? [String]) ?? []
        #expect(warnings.contains { $0.contains("oneDNN runs sse41") }, "\(warnings)")
        let text = try ChildProcess.run(CLITests.binary.path, tiny + ["--train-precision", "fp32"],
                                        environment: ["ONEDNN_MAX_CPU_ISA": "SSE41"], timeout: 120)
        #expect(text.output.contains("WARNING: the CPU has"), "\(text.output)")
    }
}
