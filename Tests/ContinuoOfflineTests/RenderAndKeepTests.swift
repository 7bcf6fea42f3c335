import Foundation
import Testing
@testable import ContinuoOffline

@Suite struct RenderAndKeepTests {
    static let hasFluidSynth = AudioRenderer.fluidSynthPath() != nil
        && AudioRenderer.soundFontCandidates.contains { FileManager.default.fileExists(atPath: $0) }

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-rk-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(.enabled(if: hasFluidSynth, "fluidsynth and fluid-soundfont-gm are not installed"))
    func renderIsAudibleAndAsLongAsThePiece() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let wav = folder.appendingPathComponent("out.wav").path
        let (level, _) = try AudioRenderer.renderNormalised(midi: PrepareJobTests.sample + "/odd/unknown_chunk_type.mid", output: wav)
        #expect(abs(level.peakDBFS - -3) < 1)
        #expect(level.rmsDBFS > -40)
        #expect(level.seconds > 19.2 && level.seconds < 23) // the piece, plus the release tail
    }

    @Test func missingSoundFontIsNamed() throws {
        do {
            try AudioRenderer.render(midi: PrepareJobTests.sample + "/odd/unknown_chunk_type.mid", output: "/tmp/never.wav", soundFont: "/no/such.sf2")
            Issue.record("expected an error")
        } catch let error as AudioRenderer.RenderError {
            #expect("\(error)".contains("/no/such.sf2") || "\(error)".contains("FluidSynth is not installed"))
        }
    }

    @Test func keepCopiesWithoutOverwriting() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let keepers = folder.appendingPathComponent("keepers").path
        let file = PrepareJobTests.sample + "/odd/unknown_chunk_type.mid"
        let first = try Keepers.keep(file, in: keepers), second = try Keepers.keep(file, in: keepers)
        #expect(first != second)
        #expect(try FileManager.default.contentsOfDirectory(atPath: keepers).count == 2)
        let junk = folder.appendingPathComponent("junk.mid").path
        try Data("no".utf8).write(to: URL(fileURLWithPath: junk))
        #expect(throws: (any Error).self) { try Keepers.keep(junk, in: keepers) }
    }
}
