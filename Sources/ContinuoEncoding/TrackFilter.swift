import ContinuoMIDI

/// What a track does musically, judged from its notes.
public enum TrackRole: String, Sendable, Hashable, CaseIterable, Codable {
    /// Mostly one note at a time, above the bass register.
    case melody
    /// Chords: at least a fifth of its notes start together with another.
    case harmony
    /// Mostly one note at a time, median pitch below C3 (MIDI 48).
    case bass
    /// Many notes on at most two pitches: a repeated figure, not a line.
    case rhythm
    /// On the General MIDI percussion channel.
    case drums
}

/// Keeps the notes of tracks whose role is wanted. The default keeps everything but drums
/// (which `NoteExtractor` already leaves out): a piano's left hand looks like "bass" to any
/// heuristic, and dropping it would gut the harmony of most of the piano corpus.
public struct TrackFilter: Sendable, Hashable {
    public var dropped: Set<TrackRole>

    public init(dropping dropped: Set<TrackRole> = [.drums]) {
        self.dropped = dropped
    }

    public static let `default` = TrackFilter()

    public func apply(to performance: Performance) -> Performance {
        guard !dropped.isEmpty else { return performance }
        let roles = Self.roles(of: performance.notes)
        var filtered = performance
        filtered.notes.removeAll { roles[$0.track].map(dropped.contains) ?? false }
        return filtered
    }

    /// The role of every track that has notes, keyed by track index.
    public static func roles(of notes: [Note]) -> [Int: TrackRole] {
        var byTrack: [Int: [Note]] = [:]
        for note in notes { byTrack[note.track, default: []].append(note) }
        return byTrack.mapValues(role)
    }

    /// `notes` are one track's, in onset order.
    public static func role(of notes: [Note]) -> TrackRole {
        guard !notes.isEmpty else { return .melody }
        let drumNotes = notes.filter { $0.channel == NoteExtractor.drumChannel }.count
        if drumNotes * 2 > notes.count { return .drums }
        let distinctPitches = Set(notes.map(\.pitch)).count
        if notes.count >= 8, distinctPitches <= 2 { return .rhythm }
        var chordNotes = 0
        for i in notes.indices {
            let sharesOnset = (i > 0 && notes[i - 1].onsetTick == notes[i].onsetTick)
                || (i + 1 < notes.count && notes[i + 1].onsetTick == notes[i].onsetTick)
            if sharesOnset { chordNotes += 1 }
        }
        if chordNotes * 5 >= notes.count { return .harmony }
        let pitches = notes.map(\.pitch).sorted()
        return pitches[pitches.count / 2] < 48 ? .bass : .melody
    }
}
