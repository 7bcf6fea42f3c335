import ContinuoTestSupport
import Foundation
import Testing

/// Runs the built `continuo` binary as a user would.
@Suite struct CLITests {
    static let repositoryRoot = Fixtures.repositoryRoot
    static let odd = Fixtures.odd

    static var binary: URL {
        // The test bundle sits in the same build folder as the executable.
        var url = Bundle.main.bundleURL
        for _ in 0..<3 where !FileManager.default.fileExists(atPath: url.appendingPathComponent("continuo").path) {
            url = url.deletingLastPathComponent()
        }
        return url.appendingPathComponent("continuo")
    }

    struct Result {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs `continuo` to the end; one that is still running after `timeout` seconds is
    /// stopped (its whole process group) and reaped, and the test fails.
    func run(_ arguments: [String], timeout: Double = 300) throws -> Result {
        let run = try ChildProcess.run(Self.binary.path, arguments, timeout: timeout)
        if run.timedOut { Issue.record("continuo \(arguments.joined(separator: " ")) still ran after \(timeout) s") }
        return Result(status: run.status.code, out: run.output, err: run.errors)
    }

    @Test func inspectDescribesAFile() throws {
        let result = try run(["inspect", Self.odd.appendingPathComponent("type2_independent_patterns.mid").path])
        #expect(result.status == 0)
        #expect(result.out.contains("format 2, 240 ticks per quarter, 3 tracks"))
        #expect(result.out.contains("notes 42"))
        #expect(result.out.contains("Pattern C: Ode to Joy"))
    }

    @Test func inspectJSONIsMachineReadable() throws {
        let result = try run(["inspect", "--json", Self.odd.appendingPathComponent("unknown_chunk_type.mid").path])
        #expect(result.status == 0)
        let reports = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [[String: Any]])
        #expect(reports.first?["notes"] as? Int == 30)
        #expect((reports.first?["tracks"] as? [Any])?.count == 2)
    }

    @Test func brokenFileGetsAClearErrorAndExitCode() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UInt32.random(in: 0...UInt32.max)).mid")
        try Data("MThd\0\0\0\u{6}\0\u{1}".utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let result = try run(["inspect", path.path])
        #expect(result.status == 1)
        #expect(result.err.contains(path.lastPathComponent))
        #expect(result.err.contains("ends inside the MThd header"))
    }

    @Test func prepareSummarises() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UInt32.random(in: 0...UInt32.max)).ctok")
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(atPath: out.path + ".json")
        }
        let result = try run(["prepare", Self.odd.path, "-o", out.path, "--quiet"])
        #expect(result.status == 0)
        #expect(result.out.contains("prepared 3 of 5 files"))
        #expect(result.out.contains("no_notes.mid: no notes"))
        #expect(FileManager.default.fileExists(atPath: out.path + ".json"))
    }

    /// `-o out.mid` names the file for one variation; several get -1, -2, ... before `.mid`.
    @Test func generateWritesTheNamedFile() throws {
        let folder = try TemporaryFolder(prefix: "continuo-generate-test")
        let one = try run(["generate", "--model", DaemonTests.model, "--beats", "4", "-o", folder.path("take.mid")])
        #expect(one.status == 0, "\(one.err)")
        #expect(one.out.contains("wrote \(folder.path("take.mid")):"), "\(one.out)")
        let two = try run(["generate", "--model", DaemonTests.model, "--beats", "4", "--variations", "2", "-o", folder.path("pair.mid")])
        #expect(two.status == 0, "\(two.err)")
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).sorted()
        #expect(written == ["pair-1.mid", "pair-2.mid", "take.mid"])
        #expect(try run(["inspect", folder.path("take.mid")]).status == 0)
    }

    @Test func badOptionIsAUsageError() throws {
        let result = try run(["prepare", Self.odd.path, "--drop-tracks", "kazoo"])
        #expect(result.status == 64)
        #expect(result.err.contains("unknown track role 'kazoo'"))
    }
}
