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

    @Test(.enabled(if: DaemonTests.hasJack, "jackd is not installed"))
    func theProcessCallbackNeverAllocatesNorLocks() throws {
        let folder = try TemporaryFolder(prefix: "continuo-rtprobe")
        let probe = folder.path("rt_alloc_probe.so")
        let cflags = try ChildProcess.run("/usr/bin/pkg-config", ["--cflags", "--libs", "jack"])
        let compile = try ChildProcess.run("/usr/bin/cc", ["-shared", "-fPIC", "-O2", "-o", probe, Self.probeSource.path, "-ldl"]
            + cflags.output.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty })
        try #require(compile.status.code == 0, "cannot build the probe: \(compile.errors)")

        let counts = folder.path("counts")
        let run = try ChildProcess.run(CLITests.binary.path,
                                       ["bench", "latency", "--model", DaemonTests.model, "--seconds", "4", "--notes-per-second", "20",
                                        "--control-every", "1", "--json"],
                                       environment: ["LD_PRELOAD": probe, "CONTINUO_RT_PROBE_CLIENT": "continuo-fx",
                                                     "CONTINUO_RT_PROBE_OUT": counts],
                                       timeout: 120)
        #expect(run.status.code == 0, "\(run.errors)")
        let lines = String(decoding: FileManager.default.contents(atPath: counts) ?? Data(), as: UTF8.self)
            .split(separator: "\n").filter { $0.hasPrefix("client=continuo-fx ") }
        let line = try #require(lines.first, "the probe saw no callback of the daemon's client; harness said: \(run.errors)")
        var fields: [String: Int] = [:]
        for field in line.split(separator: " ") {
            let parts = field.split(separator: "=")
            if parts.count == 2, let n = Int(parts[1]) { fields[String(parts[0])] = n }
        }
        // 4 s at 48 kHz / 128 frames is 1,500 cycles; a daemon that connected late sees fewer.
        #expect((fields["callbacks"] ?? 0) > 500, "\(line)")
        #expect(fields["allocations"] == 0, "\(line)")
        #expect(fields["frees"] == 0, "\(line)")
        #expect(fields["locks"] == 0, "\(line)")
    }
}
