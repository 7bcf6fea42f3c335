import ContinuoTestSupport
import Foundation
import Testing

/// The daemon's whole JACK process callback (preset midi-effect, client continuo-fx), run for real under the latency harness (notes in,
/// answers out, the temperature knob turned every second), allocates nothing and takes no lock:
/// an LD_PRELOAD probe (Tests/Probes/rt_alloc_probe.c) counts allocator calls and mutex locks on
/// the thread while it runs our callback. It runs in the daemon's own process, so swapping the
/// allocator disturbs no other test.
@Suite struct RealtimeAllocationTests {
    static let probeSource = Fixtures.repositoryRoot.appendingPathComponent("Tests/Probes/rt_alloc_probe.c")

    /// Compiles the probe into `folder`; the library's path.
    static func buildProbe(in folder: TemporaryFolder) throws -> String {
        let probe = folder.path("rt_alloc_probe.so")
        let flags = try ChildProcess.run("/usr/bin/pkg-config", ["--cflags", "--libs", "jack"])
        let compile = try ChildProcess.run("/usr/bin/cc", ["-shared", "-fPIC", "-O2", "-o", probe, probeSource.path, "-ldl"]
            + flags.output.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty })
        try #require(compile.status.code == 0, "cannot build the probe: \(compile.errors)")
        return probe
    }

    /// The probe's line for `name` (a JACK client or a watched thread) in its report file, and
    /// that line's counts by field; nil when it saw nothing of that name.
    static func counts(in path: String, for name: String) -> (line: String, fields: [String: Int])? {
        let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("client=\(name) ") }) else { return nil }
        var fields: [String: Int] = [:]
        for field in line.split(separator: " ") {
            let parts = field.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { fields[String(parts[0])] = n }
        }
        return (String(line), fields)
    }

    @Test(.enabled(if: DaemonTests.hasJack, "jackd is not installed"))
    func theProcessCallbackNeverAllocatesNorLocks() throws {
        let folder = try TemporaryFolder(prefix: "continuo-rtprobe")
        let probe = try Self.buildProbe(in: folder)

        let counts = folder.path("counts")
        let run = try ChildProcess.run(CLITests.binary.path,
                                       ["bench", "latency", "--model", DaemonTests.model, "--seconds", "4", "--notes-per-second", "20",
                                        "--control-every", "1", "--json"],
                                       environment: ["LD_PRELOAD": probe, "CONTINUO_RT_PROBE_CLIENT": "continuo-fx",
                                                     "CONTINUO_RT_PROBE_OUT": counts],
                                       timeout: 120)
        #expect(run.status.code == 0, "\(run.errors)")
        let (line, fields) = try #require(Self.counts(in: counts, for: "continuo-fx"),
                                          "the probe saw no callback of the daemon's client; harness said: \(run.errors)")
        // 4 s at 48 kHz / 128 frames is 1,500 cycles; a daemon that connected late sees fewer.
        #expect((fields["callbacks"] ?? 0) > 500, "\(line)")
        #expect(fields["allocations"] == 0, "\(line)")
        #expect(fields["frees"] == 0, "\(line)")
        #expect(fields["locks"] == 0, "\(line)")
    }
}
