import ArgumentParser
import ContinuoOffline
import Foundation

struct Transcribe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Transcribe recordings to MIDI with Basic Pitch (a neural note transcriber).",
        discussion: """
        Runs Spotify's Basic Pitch on the ONNX model inside its Python package (nothing is downloaded): \
        \(AudioTranscriber.installCommand). It uses python3 on PATH, or CONTINUO_PYTHON. \
        A folder is searched for \(AudioTranscriber.audioExtensions.sorted().joined(separator: ", ")) files; \
        its layout is kept under --output.
        """)

    @Argument(help: "Audio files or folders.") var inputs: [String]
    @Option(name: .shortAndLong, help: "Folder for the MIDI files (default: beside each recording).") var output: String?
    @Option(help: "Onset threshold, 0-1: lower finds more note starts.") var onsetThreshold = 0.5
    @Option(help: "Frame threshold, 0-1: lower keeps quieter notes sounding.") var frameThreshold = 0.3
    @Option(help: "Shortest note kept, in milliseconds.") var minNoteMs = 127.7
    @Option(help: "Tempo written into the MIDI files, in BPM.") var tempo = 120.0
    @Flag(help: "Replace MIDI files that already exist.") var force = false

    func validate() throws {
        guard (0...1).contains(onsetThreshold), (0...1).contains(frameThreshold) else { throw ValidationError("thresholds are between 0 and 1") }
        guard minNoteMs >= 0, minNoteMs <= 10_000 else { throw ValidationError("--min-note-ms is between 0 and 10000") }
        guard tempo > 0, tempo <= 1000 else { throw ValidationError("--tempo is between 0 and 1000 BPM") }
    }

    func run() throws {
        var jobs: [(audio: String, midi: String)] = []
        for input in inputs {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isFolder) else {
                throw CLIError("\(input): no such file or folder")
            }
            for (audio, relative) in isFolder.boolValue ? try Self.audioFiles(in: input) : [(input, (input as NSString).lastPathComponent)] {
                let name = ((relative as NSString).deletingPathExtension) + ".mid"
                jobs.append((audio, output.map { ($0 as NSString).appendingPathComponent(name) } ?? ((audio as NSString).deletingPathExtension + ".mid")))
            }
        }
        guard !jobs.isEmpty else { throw CLIError("no audio files (\(AudioTranscriber.audioExtensions.sorted().joined(separator: ", "))) in \(inputs.joined(separator: ", "))") }
        if !force, let existing = jobs.first(where: { FileManager.default.fileExists(atPath: $0.midi) }) {
            throw CLIError("\(existing.midi) exists; pass --force to replace it")
        }
        for job in jobs {
            let folder = (job.midi as NSString).deletingLastPathComponent
            do { try FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true) } catch {
                throw CLIError("cannot create \(folder): \(error)")
            }
        }
        var settings = AudioTranscriber.Settings()
        settings.onsetThreshold = onsetThreshold
        settings.frameThreshold = frameThreshold
        settings.minimumNoteMilliseconds = minNoteMs
        settings.tempo = tempo
        var bar: ProgressBar? = nil
        var current = ""
        let outcome: (done: [AudioTranscriber.Transcribed], failures: [AudioTranscriber.TranscriptionError])
        do {
            outcome = try AudioTranscriber.transcribe(jobs, settings: settings) { progress in
                switch progress {
                case let .window(audio, done, of):
                    if audio != current { bar?.finish(); bar = ProgressBar(total: of, label: (audio as NSString).lastPathComponent); current = audio }
                    bar?.update(done)
                case let .finished(result):
                    bar?.finish(); bar = nil; current = ""
                    print("wrote \(result.midi): \(result.notes) notes from \(Inspection.fixedString(result.seconds, 1)) s of \(result.audio)")
                }
            }
        } catch {
            bar?.finish()
            throw CLIError(error)
        }
        bar?.finish()
        for failure in outcome.failures { FileHandle.standardError.write(Data("error: \(failure)\n".utf8)) }
        if !outcome.failures.isEmpty {
            throw CLIError("\(outcome.failures.count) of \(jobs.count) recordings were not transcribed")
        }
    }

    /// Audio files under a folder, sorted, with their paths relative to it (hidden folders,
    /// such as the transcription cache, are skipped).
    static func audioFiles(in folder: String) throws -> [(String, String)] {
        try CorpusScanner.relativePaths(under: folder, extensions: AudioTranscriber.audioExtensions)
            .map { ((folder as NSString).appendingPathComponent($0), $0) }
    }
}
