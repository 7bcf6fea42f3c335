import ContinuoMIDI
import ContinuoTestSupport
import Foundation

extension Fixtures {
    static func performance(_ url: URL) throws -> Performance {
        let read = try MIDIFileReader.read([UInt8](try Data(contentsOf: url)), name: url.lastPathComponent)
        return NoteExtractor().performance(of: read.file)
    }

    static func note(_ pitch: UInt8, _ onset: Double, _ duration: Double, velocity: UInt8 = 80) -> Note {
        Note(pitch: pitch, velocity: velocity, onsetBeats: onset, durationBeats: duration)
    }
}
