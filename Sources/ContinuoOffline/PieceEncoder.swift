import ContinuoEncoding
import ContinuoMIDI

/// From file bytes to the tokens of one piece: read, extract notes, filter tracks, encode.
public struct PieceEncoder: Sendable {
    public var extractor = NoteExtractor()
    public var trackFilter = TrackFilter.default
    /// Pieces with fewer notes teach nothing and are skipped.
    public var minimumNotes = 8

    public init(extractor: NoteExtractor = NoteExtractor(), trackFilter: TrackFilter = .default, minimumNotes: Int = 8) {
        self.extractor = extractor
        self.trackFilter = trackFilter
        self.minimumNotes = minimumNotes
    }

    public struct Encoded: Sendable {
        public var tokens: [UInt16]
        public var notes: Int
        public var beats: Double
        public var warnings: [MIDIFileWarning]
    }

    public enum Outcome: Sendable {
        case encoded(Encoded)
        case skipped(reason: String)
    }

    public func encode(_ bytes: [UInt8], name: String, style: Int?) -> Outcome {
        let read: MIDIReadResult
        do {
            read = try MIDIFileReader.read(bytes, name: name)
        } catch {
            return .skipped(reason: error.problem.explanation + " (byte \(error.offset))")
        }
        let performance = trackFilter.apply(to: extractor.performance(of: read.file))
        guard performance.notes.count >= minimumNotes else {
            return .skipped(reason: performance.notes.isEmpty ? "no notes" : "only \(performance.notes.count) notes (fewer than \(minimumNotes))")
        }
        let tokens = EventCodec.encode(performance.notes, style: style)
        return .encoded(Encoded(tokens: tokens, notes: performance.notes.count,
                                beats: performance.durationBeats, warnings: read.warnings))
    }
}
