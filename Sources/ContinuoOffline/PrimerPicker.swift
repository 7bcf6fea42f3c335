import ContinuoEncoding
import ContinuoMIDI
import ContinuoModel
import ContinuoRandom

/// A primer: the notes the model continues from, on the encoding grid, starting at step 0.
public struct Primer: Sendable {
    public var notes: [QuantizedNote]
    public var source: String
    /// Tempo of the source, when it had one.
    public var bpm: Double?
    /// Length of the primer in steps (where generation starts).
    public var lengthSteps: Int
}

public enum PrimerError: Error, CustomStringConvertible {
    case noNotes(String)
    case noGoodPrimer(String)

    public var description: String {
        switch self {
        case let .noNotes(s): return "\(s): no notes in the chosen range"
        case let .noGoodPrimer(s): return "no usable primer in \(s): every candidate was too short, silent or too sparse"
        }
    }
}

public enum PrimerPicker {
    /// The notes of `path` between `fromBeats` and `toBeats` (the whole file when nil).
    public static func fromFile(_ path: String, fromBeats: Double? = nil, toBeats: Double? = nil) throws -> Primer {
        let read = try MIDIFileLoader.read(path)
        let performance = NoteExtractor().performance(of: read.file)
        let start = fromBeats ?? 0
        let end = toBeats ?? performance.durationBeats
        let chosen = performance.notes.filter { $0.onsetBeats >= start && $0.onsetBeats < end }
        guard !chosen.isEmpty else { throw PrimerError.noNotes(path) }
        let shifted = chosen.map { note -> Note in
            var n = note
            n.onsetBeats -= start
            n.durationBeats = min(n.durationBeats, end - note.onsetBeats)
            return n
        }
        let notes = quantize(shifted)
        let length = Int(((end - start) * Double(Vocabulary.stepsPerBeat)).rounded())
        let tempo = TempoMap(file: read.file)
        return Primer(notes: notes, source: path, bpm: tempo.bpm(atTick: Int(tempo.tick(atBeats: start))),
                      lengthSteps: max(length, notes.map(\.offsetStep).max() ?? 0))
    }

    /// A window of `beats` from a random piece of a corpus folder that is a good seed: not the
    /// very start or end of its piece, not silent, with enough notes to set a style.
    public static func fromCorpus(_ root: String, beats: Double = 16, minimumNotes: Int = 16, seed: UInt64) throws -> Primer {
        let files = try CorpusScanner.scan([root])
        var random = SeededRandom(seed: seed)
        guard !files.isEmpty else { throw PrimerError.noGoodPrimer(root) }
        for _ in 0..<64 {
            let file = files[Int(random.next() % UInt64(files.count))]
            guard let bytes = try? FileBytes.read(file.path),
                  let read = try? MIDIFileReader.read(bytes) else { continue }
            let performance = NoteExtractor().performance(of: read.file)
            // Skip the first and last 15% of the piece: intros and endings make poor seeds.
            let earliest = performance.durationBeats * 0.15, latest = performance.durationBeats * 0.85 - beats
            guard latest > earliest else { continue }
            let start = (earliest + Double(random.next() % 1_000_000) / 1_000_000 * (latest - earliest)).rounded(.down)
            let window = performance.notes.filter { $0.onsetBeats >= start && $0.onsetBeats < start + beats }
            guard window.count >= minimumNotes else { continue }
            // Silence inside the window (a gap over a quarter of it) makes a poor seed too.
            let onsets = window.map(\.onsetBeats)
            let longestGap = zip(onsets, onsets.dropFirst()).map { $1 - $0 }.max() ?? beats
            guard longestGap < beats / 4 else { continue }
            if let primer = try? fromFile(file.path, fromBeats: start, toBeats: start + beats) {
                return Primer(notes: primer.notes, source: "\(file.relativePath) from beat \(Int(start))",
                              bpm: primer.bpm, lengthSteps: primer.lengthSteps)
            }
        }
        throw PrimerError.noGoodPrimer(root)
    }
}
