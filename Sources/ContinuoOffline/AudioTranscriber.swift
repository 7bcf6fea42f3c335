import ContinuoJSON
import Foundation

/// `continuo transcribe`: audio to MIDI through Spotify's Basic Pitch, run as an external tool
/// the way `render` runs FluidSynth. It uses the ONNX model inside the installed package, so
/// nothing is downloaded at run time.
public enum AudioTranscriber {
    public static let audioExtensions: Set<String> = ["wav", "flac", "mp3", "ogg", "oga", "aif", "aiff", "m4a", "opus"]
    /// What to run when Basic Pitch is missing: the ONNX-only install (no TensorFlow).
    public static let installCommand = "pip install --no-deps basic-pitch==0.4.0 && pip install onnxruntime librosa mir-eval pretty-midi resampy scikit-learn scipy"

    public static func isAudio(_ path: String) -> Bool {
        audioExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    /// Basic Pitch's own defaults.
    public struct Settings: Sendable, Hashable {
        public var onsetThreshold = 0.5
        public var frameThreshold = 0.3
        public var minimumNoteMilliseconds = 127.7
        /// Tempo written into the MIDI file (the notes are placed in seconds either way).
        public var tempo = 120.0

        public init() {}

        /// Part of the cache key: a change of settings is a new transcription.
        var key: String { "onset=\(onsetThreshold) frame=\(frameThreshold) min=\(minimumNoteMilliseconds) tempo=\(tempo)" }
    }

    public enum TranscriptionError: Error, CustomStringConvertible {
        case basicPitchMissing(python: String, reason: String)
        case failed(audio: String, reason: String)
        case crashed(String)

        public var description: String {
            switch self {
            case let .basicPitchMissing(python, reason):
                return "Basic Pitch is not installed for \(python) (\(reason)): `\(installCommand)` (or run scripts/install-deps; CONTINUO_PYTHON picks another Python)"
            case let .failed(audio, reason):
                return "cannot transcribe \(audio): \(reason)"
            case let .crashed(message):
                return "Basic Pitch stopped: \(message)"
            }
        }
    }

    public struct Transcribed: Sendable {
        public var audio: String
        public var midi: String
        public var notes: Int
        public var seconds: Double
    }

    public enum Progress: Sendable {
        case window(audio: String, done: Int, of: Int)
        case finished(Transcribed)
    }

    /// `CONTINUO_PYTHON`, else `python3` on PATH.
    public static func python(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let chosen = environment["CONTINUO_PYTHON"], !chosen.isEmpty { return chosen }
        return ExecutableSearch.onPath("python3", environment: environment)
    }

    /// Transcribes each (audio, midi) pair in one Basic Pitch process. A file that cannot be
    /// transcribed (unreadable, silent) is reported in `failures` and gets no MIDI file; the
    /// others go on.
    public static func transcribe(_ jobs: [(audio: String, midi: String)], settings: Settings = Settings(),
                                  progress: (Progress) -> Void = { _ in }) throws -> (done: [Transcribed], failures: [TranscriptionError]) {
        guard !jobs.isEmpty else { return ([], []) }
        guard let python = python() else {
            throw TranscriptionError.basicPitchMissing(python: "python3", reason: "no python3 on PATH")
        }
        let request: JSONValue = [
            "files": .array(jobs.map { ["audio": .string($0.audio), "midi": .string($0.midi)] }),
            "onset_threshold": .double(settings.onsetThreshold), "frame_threshold": .double(settings.frameThreshold),
            "minimum_note_ms": .double(settings.minimumNoteMilliseconds), "tempo": .double(settings.tempo),
        ]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", BasicPitchDriver.script, request.serialized()]
        var environment = ProcessInfo.processInfo.environment
        environment["TF_CPP_MIN_LOG_LEVEL"] = "3"
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch {
            throw TranscriptionError.basicPitchMissing(python: python, reason: "cannot run it: \(error)")
        }
        // Standard error is drained on its own thread so a chatty library cannot fill the pipe.
        let errorText = ErrorText()
        let drain = Thread { errorText.data = errors.fileHandleForReading.readDataToEndOfFile() }
        drain.start()
        var done: [Transcribed] = []
        var failures: [TranscriptionError] = []
        var missing: String? = nil
        var pending: [UInt8] = []
        let reader = output.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            pending += chunk
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                // Basic Pitch prints lines of its own ("Predicting MIDI for …"): only JSON counts.
                guard line.first == UInt8(ascii: "{"), case let .success(message) = JSONReader.parse(line) else { continue }
                if let reason = message["missing"]?.stringValue {
                    missing = reason
                } else if let audio = message["progress"]?.stringValue {
                    progress(.window(audio: audio, done: message["window"]?.intValue ?? 0, of: message["windows"]?.intValue ?? 1))
                } else if let audio = message["done"]?.stringValue, let midi = message["midi"]?.stringValue {
                    let result = Transcribed(audio: audio, midi: midi, notes: message["notes"]?.intValue ?? 0, seconds: message["seconds"]?.doubleValue ?? 0)
                    done.append(result)
                    progress(.finished(result))
                } else if let audio = message["failed"]?.stringValue {
                    failures.append(.failed(audio: audio, reason: message["reason"]?.stringValue ?? "unknown"))
                }
            }
        }
        process.waitUntilExit()
        while drain.isExecuting { usleep(1_000) }
        if let missing { throw TranscriptionError.basicPitchMissing(python: python, reason: missing) }
        if process.terminationStatus != 0 {
            let tail = String(decoding: errorText.data.suffix(2_000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw TranscriptionError.crashed("exit status \(process.terminationStatus): \(tail.split(separator: "\n").last.map(String.init) ?? "")")
        }
        return (done, failures)
    }

    private final class ErrorText: @unchecked Sendable { var data = Data() }
}
