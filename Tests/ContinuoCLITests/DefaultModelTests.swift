import Foundation
import Testing

/// The bundled model, as users meet it: it loads, knows its styles, and tells them apart on
/// pieces it never saw in training (the validation split of the bundled sample: the same
/// seeded split by path as the corpus it was trained on).
@Suite struct DefaultModelTests {
    static let model = CLITests.repositoryRoot.appendingPathComponent("models/default.safetensors").path
    static let sample = CLITests.repositoryRoot.appendingPathComponent("data/sample").path

    @Test func loadsAndSaysHowItWasMade() throws {
        let info = try CLITests().run(["model", "info", Self.model])
        #expect(info.status == 0)
        #expect(info.out.contains("2 x 512 hidden"))
        #expect(info.out.contains("continuo.styles: bach-chorales=0,folk-oneills-1850=1,odd=2,piano-midi=3"))
    }

    @Test func classifiesHeldOutPiecesFarAboveChance() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-classify-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let tokens = folder.appendingPathComponent("sample.ctok").path
        #expect(try CLITests().run(["prepare", Self.sample, "-o", tokens, "--quiet"]).status == 0)
        let result = try CLITests().run(["classify", "--model", Self.model, "--data", tokens, "--json"])
        #expect(result.status == 0, "\(result.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        let pieces = report["pieces"] as? Int ?? 0, correct = report["correct"] as? Int ?? 0
        let chance = report["chance"] as? Double ?? 1
        #expect(pieces >= 6)
        #expect(Double(correct) / Double(max(pieces, 1)) >= chance + 0.3, "\(correct) of \(pieces), chance \(chance)")
    }
}
