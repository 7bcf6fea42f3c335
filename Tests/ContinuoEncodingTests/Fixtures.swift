import ContinuoMIDI
import Foundation

enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sample = repositoryRoot.appendingPathComponent("data/sample")
    static let sharedCorpus = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus")

    /// The full corpus when it is beside the repository (developer machines, CI), else the sample.
    static var corpus: URL {
        FileManager.default.fileExists(atPath: sharedCorpus.path) ? sharedCorpus : sample
    }

    static func midiFiles(under root: URL) -> [URL] {
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = walker?.nextObject() as? URL {
            if url.pathExtension == "mid" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    static func performance(_ url: URL) throws -> Performance {
        let read = try MIDIFileReader.read([UInt8](try Data(contentsOf: url)), name: url.lastPathComponent)
        return NoteExtractor().performance(of: read.file)
    }

    static func note(_ pitch: UInt8, _ onset: Double, _ duration: Double, velocity: UInt8 = 80) -> Note {
        Note(pitch: pitch, velocity: velocity, onsetBeats: onset, durationBeats: duration)
    }
}
