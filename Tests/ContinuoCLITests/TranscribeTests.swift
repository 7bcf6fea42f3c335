import ContinuoMIDI
import ContinuoOffline
import ContinuoProcess
import ContinuoTestSupport
import Foundation
import Testing

/// `continuo transcribe` (issue 16) on real audio: sample MIDI rendered by FluidSynth (our
/// `render`), transcribed back by Basic Pitch, compared note by note with the original.
/// Skipped, visibly, where Basic Pitch or FluidSynth is not installed.
@Suite(.serialized) struct TranscribeTests {
    static let hasBasicPitch: Bool = {
        (try? ChildProcess.run("python3", ["-c", "import basic_pitch, onnxruntime"], timeout: 120).status.code) == 0
    }()
    static let hasFluidSynth = FileManager.default.fileExists(atPath: "/usr/share/sounds/sf2/FluidR3_GM.sf2")
    static let enabled = hasBasicPitch && hasFluidSynth
    static let skipped = Comment(rawValue: "Basic Pitch (\(AudioTranscriber.installCommand)) or FluidSynth's GM soundfont is not installed")
    let cli = CLITests()

    static func notes(_ path: String) throws -> [Note] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        return NoteExtractor().performance(of: try MIDIFileReader.read(bytes, name: path).file).notes
    }

    /// A folder of recordings rendered from sample pieces.
    static func rendered(_ pieces: [String], into folder: TemporaryFolder) throws -> [String] {
        try pieces.map { piece in
            let wav = folder.path((piece as NSString).lastPathComponent.replacingOccurrences(of: ".mid", with: ".wav"))
            let render = try CLITests().run(["render", WorkflowTests.sample + "/" + piece, "-o", wav])
            #expect(render.status == 0, "\(render.err)")
            return wav
        }
    }

    static let tune = "folk-oneills-1850/oneills1850_0437_paddy-brown.mid"
    static let chorale = "bach-chorales/bwv1.6.mid"

    @Test(.enabled(if: enabled, skipped))
    func aRenderedPieceComesBackWithItsNotes() throws {
        let folder = try TemporaryFolder(prefix: "continuo-transcribe-test")
        let audio = try Self.rendered([Self.tune, Self.chorale], into: folder)
        let run = try cli.run(["transcribe"] + audio + ["-o", folder.path("midi")])
        #expect(run.status == 0, "\(run.err)")
        for (piece, wav) in zip([Self.tune, Self.chorale], audio) {
            let name = ((wav as NSString).lastPathComponent as NSString).deletingPathExtension + ".mid"
            #expect(run.out.contains("wrote \(folder.path("midi/" + name))"), "\(run.out)")
            let matching = NoteMatching(reference: try Self.notes(WorkflowTests.sample + "/" + piece), estimated: try Self.notes(folder.path("midi/" + name)))
            print("transcribed \(piece): F1 \(matching.f1) (precision \(matching.precision), recall \(matching.recall), \(matching.reference) notes)")
            #expect(matching.f1 >= 0.7, "\(piece): F1 \(matching.f1), \(matching.matched) of \(matching.reference) notes matched, \(matching.estimated) found")
        }
        // A second run does not overwrite what the first wrote.
        let again = try cli.run(["transcribe", audio[0], "-o", folder.path("midi")])
        #expect(again.status != 0)
        #expect(again.err.contains("exists; pass --force"), "\(again.err)")
    }

    @Test(.enabled(if: enabled, skipped))
    func silentAndUnreadableAudioGetClearErrorsAndNoFile() throws {
        let folder = try TemporaryFolder(prefix: "continuo-transcribe-bad")
        // Two seconds of digital silence, a valid WAV file.
        var silent = Data("RIFF".utf8) + Self.le32(36 + 176_400) + Data("WAVEfmt ".utf8) + Self.le32(16)
        silent += Data([1, 0, 1, 0]) + Self.le32(44_100) + Self.le32(88_200) + Data([2, 0, 16, 0]) + Data("data".utf8) + Self.le32(176_400)
        silent += Data(count: 176_400)
        try silent.write(to: URL(fileURLWithPath: folder.path("silent.wav")))
        try Data("this is not audio at all".utf8).write(to: URL(fileURLWithPath: folder.path("broken.wav")))
        let run = try cli.run(["transcribe", folder.path("silent.wav"), folder.path("broken.wav"), "-o", folder.path("out")])
        #expect(run.status != 0)
        #expect(run.err.contains("silent.wav") && run.err.contains("no notes heard"), "\(run.err)")
        #expect(run.err.contains("broken.wav") && run.err.contains("cannot read the audio"), "\(run.err)")
        #expect(run.err.contains("2 of 2 recordings were not transcribed"), "\(run.err)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: folder.path("out"))) ?? []
        #expect(written.isEmpty, "nothing is written for audio that gave no notes: \(written)")
    }

    static func le32(_ value: UInt32) -> Data { withUnsafeBytes(of: value.littleEndian) { Data($0) } }

    /// A recording primes `generate` and trains through `prepare`; both transcribe once and keep
    /// the result beside the recording.
    @Test(.enabled(if: enabled, skipped))
    func recordingsPrimeAndTrainThroughTheCache() throws {
        let folder = try TemporaryFolder(prefix: "continuo-transcribe-cache")
        let recordings = try TemporaryFolder(prefix: "continuo-recordings")
        let wav = try Self.rendered([Self.tune], into: recordings)[0]
        let first = try cli.run(["generate", "--model", DaemonTests.model, "--primer", wav, "--beats", "4", "-o", folder.path("a.mid")])
        #expect(first.status == 0, "\(first.err)")
        #expect(first.err.contains("transcribing \(wav) with Basic Pitch"), "\(first.err)")
        let cached = try FileManager.default.contentsOfDirectory(atPath: recordings.path(".continuo"))
        #expect(cached.count == 1 && cached[0].hasSuffix(".mid"), "\(cached)")
        let second = try cli.run(["generate", "--model", DaemonTests.model, "--primer", wav, "--beats", "4", "-o", folder.path("b.mid")])
        #expect(second.status == 0, "\(second.err)")
        #expect(!second.err.contains("transcribing"), "the second run reads the cache: \(second.err)")

        let prepare = try cli.run(["prepare", recordings.url.path, "-o", folder.path("data.ctok"), "--quiet"])
        #expect(prepare.status == 0, "\(prepare.err)")
        #expect(prepare.out.contains("prepared 1 of 1 files"), "\(prepare.out)")
        let index = try String(contentsOfFile: folder.path("data.ctok.json"), encoding: .utf8)
        #expect(index.contains("paddy-brown.wav"), "the index names the recording")
    }

    /// Without Basic Pitch the error says how to install it (a Python that sees no site packages).
    @Test func aMissingBasicPitchNamesTheInstallCommand() throws {
        let folder = try TemporaryFolder(prefix: "continuo-transcribe-missing")
        let python = folder.path("python-without-packages")
        try "#!/bin/sh\nexec python3 -S -s \"$@\"\n".write(toFile: python, atomically: true, encoding: .utf8)
        chmod(python, 0o755)
        try Data(count: 64).write(to: URL(fileURLWithPath: folder.path("a.wav")))
        let run = try ChildProcess.run(CLITests.binary.path, ["transcribe", folder.path("a.wav")], environment: ["CONTINUO_PYTHON": python], timeout: 60)
        #expect(run.status.code != 0)
        #expect(run.errors.contains("Basic Pitch is not installed") && run.errors.contains(AudioTranscriber.installCommand), "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: folder.path("a.mid")))
    }
}
