import Foundation
import Testing

/// The offline workflow as a user runs it: prepare, train, generate, plot, render, eval, keep.
@Suite(.serialized) struct WorkflowTests {
    let cli = CLITests()
    static let sample = CLITests.repositoryRoot.appendingPathComponent("data/sample").path

    /// The page's like/dislike feed fine-tuning: disliked phrases in the keepers folder are left
    /// out, liked and unrated ones are learned from.
    @Test func finetuneLeavesOutDislikedPhrases() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-keepers-\(UInt32.random(in: 0...UInt32.max))")
        let keepers = folder.appendingPathComponent("keepers").path
        try FileManager.default.createDirectory(atPath: keepers, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pieces = ["bwv10.7.mid", "bwv101.7.mid", "bwv102.7.mid", "bwv103.6.mid"].map { Self.sample + "/bach-chorales/" + $0 }
            .filter { FileManager.default.fileExists(atPath: $0) }
        try #require(pieces.count >= 4, "the sample has fewer chorales than this test plays")
        for piece in pieces { try FileManager.default.copyItem(atPath: piece, toPath: keepers + "/" + (piece as NSString).lastPathComponent) }
        try "dislike\n".write(toFile: keepers + "/bwv101.7.mid.rating", atomically: true, encoding: .utf8)
        try "like\n".write(toFile: keepers + "/bwv102.7.mid.rating", atomically: true, encoding: .utf8)
        let out = folder.appendingPathComponent("tuned.safetensors").path
        let train = try cli.run(["train", "--finetune", "--from", DaemonTests.model, "--data", keepers, "--out", out, "--seq-len", "32",
                                 "--batch", "4", "--epochs", "1", "--quiet", "--threads", "1"])
        #expect(train.status == 0, "\(train.err)")
        #expect(train.out.contains("leaving out 1 disliked phrases: bwv101.7.mid"), "\(train.out)")
        #expect(train.out.contains("1 liked phrases among 3 used"), "\(train.out)")
        #expect(train.out.contains("prepared 3 files"), "\(train.out)")
        #expect(FileManager.default.fileExists(atPath: out))
    }

    @Test func prepareTrainGeneratePlotRenderEvalKeep() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-workflow-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

        #expect(try cli.run(["prepare", Self.sample, "-o", path("data.ctok"), "--quiet"]).status == 0)
        let train = try cli.run(["train", "--data", path("data.ctok"), "--out", path("m.safetensors"), "--layers", "1", "--hidden", "32",
                                 "--embed", "16", "--seq-len", "32", "--batch", "8", "--epochs", "2", "--lr", "0.01", "--quiet", "--threads", "1"])
        #expect(train.status == 0, "\(train.err)")
        #expect(train.err.contains("epoch 2: train"))

        let generate = try cli.run(["generate", "--model", path("m.safetensors"), "--primer", Self.sample + "/bach-chorales/bwv10.7.mid",
                                    "--to", "8", "--bars", "4", "--variations", "3", "--style", "bach-chorales", "--scale", "G major",
                                    "-o", path("out/gen")])
        #expect(generate.status == 0, "\(generate.err)")
        #expect(generate.out.contains("wrote \(path("out/gen"))-3.mid"))
        let inspect = try cli.run(["inspect", "--json", path("out/gen-1.mid")])
        #expect(inspect.status == 0)
        #expect(inspect.out.contains("\"name\" : \"continuo\""))

        let plot = try cli.run(["plot", "roll", path("out/gen-1.mid"), "-o", path("roll.png")])
        #expect(plot.status == 0)
        let png = try Data(contentsOf: URL(fileURLWithPath: path("roll.png")))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(try cli.run(["plot", "curves", path("m.safetensors.csv"), "-o", path("curves.svg")]).status == 0)
        #expect(try String(contentsOfFile: path("curves.svg"), encoding: .utf8).contains("<svg"))

        if FileManager.default.fileExists(atPath: "/usr/share/sounds/sf2/FluidR3_GM.sf2") {
            let render = try cli.run(["render", path("out/gen-1.mid"), "-o", path("gen.wav")])
            #expect(render.status == 0, "\(render.err)")
            #expect(render.out.contains("peak -3.0 dBFS"))
        }

        let eval = try cli.run(["eval", "--model", path("m.safetensors"), "--data", path("data.ctok"),
                                "--generated", path("out"), "--reference", Self.sample + "/bach-chorales", "--report", path("report")])
        #expect(eval.status == 0, "\(eval.err)")
        #expect(eval.out.contains("nats/event"))
        #expect(try String(contentsOfFile: path("report.md"), encoding: .utf8).contains("overlap area"))

        let keep = try cli.run(["keep", path("out/gen-2.mid"), "--keepers", path("keepers")])
        #expect(keep.status == 0)
        #expect(FileManager.default.fileExists(atPath: path("keepers/gen-2.mid")))
    }

    @Test func generateExplainsBadRequests() throws {
        let noModel = try cli.run(["generate", "--model", "/no/such/model.safetensors"])
        #expect(noModel.status == 1)
        #expect(noModel.err.contains("/no/such/model.safetensors"))
        let badScale = try cli.run(["generate", "--scale", "H major"])
        #expect(badScale.status == 64)
        #expect(badScale.err.contains("unknown scale"))
        let corrupt = FileManager.default.temporaryDirectory.appendingPathComponent("corrupt-\(UInt32.random(in: 0...UInt32.max)).safetensors")
        try Data(repeating: 7, count: 64).write(to: corrupt)
        defer { try? FileManager.default.removeItem(at: corrupt) }
        let bad = try cli.run(["generate", "--model", corrupt.path])
        #expect(bad.status == 1)
        #expect(bad.err.contains("not a usable model"))
    }
}
