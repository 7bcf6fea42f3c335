import Foundation

/// Transcriptions kept beside their audio, in a hidden `.continuo/` folder (the corpus scanner
/// skips hidden folders), named by a hash of the audio's bytes and the settings: `prepare` and
/// `generate --primer` on a recording transcribe it once, and again only when it changes.
public enum TranscriptionCache {
    public static func midiPath(forAudio audio: String, settings: AudioTranscriber.Settings) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: audio) else {
            throw OfflineError.cannotRead(path: audio, reason: "no such file, or not readable")
        }
        defer { try? handle.close() }
        var hash = FNV1a()
        hash.add(Array(settings.key.utf8))
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hash.add(chunk) }
        let folder = ((audio as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".continuo")
        let name = (audio as NSString).lastPathComponent
        return (folder as NSString).appendingPathComponent("\(name).\(String(hash.value, radix: 16)).mid")
    }

    /// The MIDI transcription of each audio file, made where missing (one Basic Pitch run for all).
    /// Returns a path per input, nil where the audio could not be transcribed (with why).
    public static func midiFiles(forAudio audio: [String], settings: AudioTranscriber.Settings = .init(),
                                 progress: (AudioTranscriber.Progress) -> Void = { _ in })
        throws -> (paths: [String: String], failures: [AudioTranscriber.TranscriptionError]) {
        var paths: [String: String] = [:]
        var missing: [(audio: String, midi: String)] = []
        for file in audio {
            let cached = try midiPath(forAudio: file, settings: settings)
            if FileManager.default.fileExists(atPath: cached) { paths[file] = cached } else { missing.append((file, cached)) }
        }
        for job in missing {
            let folder = (job.midi as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw OfflineError.cannotWrite(path: folder, reason: "\(error)")
            }
        }
        let (done, failures) = try AudioTranscriber.transcribe(missing, settings: settings, progress: progress)
        for result in done { paths[result.audio] = result.midi }
        return (paths, failures)
    }
}
