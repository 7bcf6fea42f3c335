import ContinuoMIDI

/// Note-level precision, recall and F1 of a transcription against the notes it should have
/// found: a pair matches when the pitch is the same and the onsets are within the tolerance
/// (each note matches at most once, closest onset first), as in MIREX note tracking without
/// offsets.
public struct NoteMatching: Sendable {
    public var matched: Int
    public var reference: Int
    public var estimated: Int

    public var precision: Double { estimated == 0 ? 0 : Double(matched) / Double(estimated) }
    public var recall: Double { reference == 0 ? 0 : Double(matched) / Double(reference) }
    public var f1: Double { precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall) }

    public init(reference: [Note], estimated: [Note], onsetTolerance: Double = 0.05) {
        self.reference = reference.count
        self.estimated = estimated.count
        var candidates: [(distance: Double, reference: Int, estimate: Int)] = []
        let byPitch = Dictionary(grouping: estimated.indices, by: { estimated[$0].pitch })
        for (r, note) in reference.enumerated() {
            for e in byPitch[note.pitch] ?? [] {
                let distance = abs(estimated[e].onsetSeconds - note.onsetSeconds)
                if distance <= onsetTolerance { candidates.append((distance, r, e)) }
            }
        }
        var usedReference = Set<Int>(), usedEstimate = Set<Int>()
        for candidate in candidates.sorted(by: { $0.distance < $1.distance })
        where !usedReference.contains(candidate.reference) && !usedEstimate.contains(candidate.estimate) {
            usedReference.insert(candidate.reference)
            usedEstimate.insert(candidate.estimate)
        }
        matched = usedReference.count
    }
}
