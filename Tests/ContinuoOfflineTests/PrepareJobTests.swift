import ContinuoEncoding
import Foundation
import Testing
@testable import ContinuoOffline

@Suite struct PrepareJobTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sample = repositoryRoot.appendingPathComponent("data/sample").path

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-prepare-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func preparesTheSampleIntoTokensAndAnIndex() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var job = PrepareJob(roots: [Self.sample], output: folder.appendingPathComponent("data.ctok").path)
        job.showProgress = false
        let index = try job.run()
        let tokens = try TokenFile.readTokens(path: job.output)
        let reread = try TokenFile.readIndex(path: TokenFile.indexPath(for: job.output))

        #expect(index.totals.filesFound == 49)
        #expect(index.totals.filesUsed + index.totals.filesSkipped == 49)
        #expect(Set(index.skipped.map(\.file)) == ["odd/extreme_timing.mid", "odd/no_notes.mid"])
        #expect(tokens.count == index.totals.tokens)
        #expect(reread.pieces.count == index.pieces.count)
        #expect(index.pieces.reduce(0) { $0 + $1.count } == tokens.count)
        #expect(index.totals.trainTokens + index.totals.validationTokens == tokens.count)
        #expect(index.vocabulary == .current)
        #expect(Set(index.styles.map(\.name)) == ["bach-chorales", "folk-oneills-1850", "odd", "piano-midi"])
        // Each piece is START STYLE ... END and decodes to as many notes as the index says.
        for piece in index.pieces {
            let slice = tokens[piece.offset..<piece.offset + piece.count]
            #expect(slice.first == UInt16(Vocabulary.start))
            #expect(slice.last == UInt16(Vocabulary.end))
            #expect(EventCodec.decode(slice).count <= piece.notes)
        }
    }

    @Test func splitIsDeterministicAndByPiece() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(_ name: String, seed: UInt64) throws -> [String: TokenIndex.Split] {
            var job = PrepareJob(roots: [Self.sample], output: folder.appendingPathComponent(name).path)
            job.showProgress = false
            job.seed = seed
            job.validationFraction = 0.3
            return Dictionary(uniqueKeysWithValues: try job.run().pieces.map { ($0.file, $0.split) })
        }
        let first = try run("a.ctok", seed: 1), again = try run("b.ctok", seed: 1), other = try run("c.ctok", seed: 99)
        #expect(first == again)
        #expect(first != other)
        #expect(first.values.contains(.validation))
        #expect(first.values.contains(.train))
    }

    @Test func badFilesAreSkippedNotFatal() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("corpus/mixed")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        try Data("not midi at all".utf8).write(to: corpus.appendingPathComponent("garbage.mid"))
        try Data().write(to: corpus.appendingPathComponent("empty.mid"))
        let good = URL(fileURLWithPath: Self.sample).appendingPathComponent("bach-chorales")
        for name in try FileManager.default.contentsOfDirectory(atPath: good.path).filter({ $0.hasSuffix(".mid") }).prefix(3) {
            try FileManager.default.copyItem(at: good.appendingPathComponent(name), to: corpus.appendingPathComponent(name))
        }
        var job = PrepareJob(roots: [folder.appendingPathComponent("corpus").path], output: folder.appendingPathComponent("d.ctok").path)
        job.showProgress = false
        let index = try job.run()
        #expect(index.totals.filesUsed == 3)
        let reasons = Dictionary(uniqueKeysWithValues: index.skipped.map { ($0.file, $0.reason) })
        #expect(reasons["mixed/garbage.mid"]?.contains("not a Standard MIDI File") == true)
        #expect(reasons["mixed/empty.mid"]?.contains("empty") == true)
    }

    @Test func missingFolderIsAClearError() {
        let job = PrepareJob(roots: ["/nonexistent/folder"], output: "/tmp/x.ctok")
        #expect(throws: OfflineError.self) { try job.run() }
    }
}
