import ContinuoEncoding
import ContinuoEngine
import ContinuoListening
import ContinuoMIDI
import ContinuoModel
import ContinuoParameters
import ContinuoRandom
import Foundation

/// `continuo bench musicianship`: scripted performances of the sample pieces, played into the
/// engine on an injected clock (48 kHz, 128-frame periods) with timing jitter, tempo changes and
/// transpositions added by the script, and what the engine heard compared with the score:
/// - tempo: followed BPM against the played tempo after lock, beats to lock, beat phase error
///   (the engine's beat position of each onset, read before the onset is heard);
/// - key: the estimated key against the key signature, on windows of every piece, and on
///   transposed copies of one piece (the estimate must move by the same interval);
/// - motifs: the share of the machine's 4-note interval patterns found in what was played, with
///   `follow` at 0, 0.5 and 1.
public struct MusicianshipBenchmark {
    public struct Options {
        public var samples = "data/sample"
        public var jitterSeconds = 0.010
        public var seeds = 3
        /// Parts to run: tempo, key, motifs.
        public var parts: Set<String> = ["tempo", "key", "motifs"]
        public init() {}
    }

    let options: Options
    let inference: LSTMInference
    static let sampleRate = 48_000.0
    static let period: Int64 = 128

    public init(options: Options, inference: LSTMInference) {
        self.options = options
        self.inference = inference
    }

    /// A sample piece: its notes (in beats) and what the file says of key and meter.
    struct Piece {
        var name: String
        var notes: [Note]
        var key: Key?
        var meter: (numerator: Int, denominator: Int)?
    }

    func pieces(in folder: String) throws -> [Piece] {
        let path = options.samples + "/" + folder
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".mid") }.sorted()
        return names.compactMap { name in
            guard let read = try? MIDIFileLoader.read(path + "/" + name) else { return nil }
            var key: Key? = nil
            var meter: (Int, Int)? = nil
            for track in read.file.tracks {
                for event in track.events {
                    guard case let .meta(meta) = event.message else { continue }
                    if case let .keySignature(sharps, minor) = meta, key == nil { key = Key(sharps: Int(sharps), minor: minor) }
                    if case let .timeSignature(n, d, _, _) = meta, meter == nil { meter = (Int(n), 1 << Int(d)) }
                }
            }
            let notes = NoteExtractor().performance(of: read.file).notes
            return notes.isEmpty ? nil : Piece(name: name, notes: notes, key: key, meter: meter)
        }
    }

    /// An engine listening on the injected clock; accompany at density 0 hears without playing.
    func listeningEngine(mode: EngineMode = .accompany, follow: Double = 0, seed: UInt64 = 1) -> Engine {
        var values = ParameterValues()
        values[.mode] = .choice(mode.rawValue)
        values[.tempoSource] = .choice("follow")
        values[.bpm] = .real(100)
        values[.density] = .real(mode == .accompany ? 0 : 1)
        values[.follow] = .real(follow)
        values[.temperature] = .real(0.9)
        values[.topP] = .real(0.95)
        values[.repetitionPenalty] = .real(1.1)
        values[.maxPolyphony] = .integer(6)
        return Engine(inference: inference, configuration: EngineConfiguration(values: values, sampleRate: Self.sampleRate, periodFrames: Int(Self.period)),
                      seed: seed)
    }

    /// Note events of `notes` at a tempo curve: `beatsToSeconds` maps score beats to time.
    struct Played { var frame: Int64; var bytes: MIDIBytes; var beat: Double }

    func script(_ notes: [Note], beatsToSeconds: (Double) -> Double, transpose: Int = 0, random: inout SeededRandom) -> [Played] {
        var events: [Played] = []
        for note in notes {
            let pitch = Int(note.pitch) + transpose
            guard pitch >= 0 && pitch < 128 else { continue }
            let jitter = options.jitterSeconds * random.nextGaussian()
            let on = (beatsToSeconds(note.onsetBeats) + jitter + 1) * Self.sampleRate
            let off = max(on + 0.02 * Self.sampleRate, (beatsToSeconds(note.offsetBeats) + 1) * Self.sampleRate - 0.01 * Self.sampleRate)
            events.append(Played(frame: Int64(on), bytes: .noteOn(channel: 0, pitch: UInt8(pitch), velocity: max(note.velocity, 1)), beat: note.onsetBeats))
            events.append(Played(frame: Int64(off), bytes: .noteOff(channel: 0, pitch: UInt8(pitch)), beat: note.offsetBeats))
        }
        return events.sorted { $0.frame < $1.frame || ($0.frame == $1.frame && !$0.bytes.isNoteOn && $1.bytes.isNoteOn) }
    }

    // MARK: - Tempo

    public struct TempoRow {
        public var label: String
        public var performances = 0
        public var errors: [Double] = []
        public var lockBeats: [Double] = []
        public var phaseErrors: [Double] = []
        public var neverLocked = 0
        public var octaveErrors = 0
    }

    func tempoRow(label: String, pieces: [Piece], beats: Double, tempoAt: @escaping (Double) -> Double) -> TempoRow {
        var row = TempoRow(label: label)
        for (index, piece) in pieces.enumerated() {
            for seed in 0..<options.seeds {
                var random = SeededRandom(seed: UInt64(1000 * index + seed + 1))
                let first = piece.notes[0].onsetBeats
                let notes = piece.notes.filter { $0.onsetBeats - first < beats }.map { n -> Note in
                    var n = n; n.onsetBeats -= first; return n
                }
                // Seconds of score beat b under the tempo curve (integrated in small steps).
                var table: [Double] = [0]
                for i in 0..<Int(beats * 16 + 64) { table.append(table[i] + 60 / tempoAt(Double(i) / 16) / 16) }
                let toSeconds: (Double) -> Double = { b in
                    let x = max(0, b) * 16, i = min(Int(x), table.count - 2)
                    return table[i] + (x - Double(i)) * (table[i + 1] - table[i])
                }
                let events = script(notes, beatsToSeconds: toSeconds, random: &random)
                let engine = listeningEngine()
                var now: Int64 = 0
                var lockedAt: Double? = nil
                for event in events {
                    while now + Self.period <= event.frame { now += Self.period; _ = engine.advance(to: now) }
                    if event.bytes.isNoteOn, lockedAt != nil {
                        let heard = engine.beat(at: event.frame)
                        var d = (heard - event.beat).truncatingRemainder(dividingBy: 1)
                        if d < 0 { d += 1 }
                        row.phaseErrors.append(min(d, 1 - d))
                    }
                    engine.receive(event.bytes, at: event.frame)
                    _ = engine.advance(to: max(now, event.frame))
                    guard event.bytes.isNoteOn else { continue }
                    let status = engine.status
                    if lockedAt == nil, status.listening.following { lockedAt = event.beat }
                    if lockedAt != nil {
                        let truth = tempoAt(event.beat)
                        let error = abs(status.bpm / truth - 1)
                        row.errors.append(error)
                        if abs(status.bpm / truth - 2) < 0.1 || abs(status.bpm / truth - 0.5) < 0.05 { row.octaveErrors += 1 }
                    }
                }
                row.performances += 1
                if let lockedAt { row.lockBeats.append(lockedAt) } else { row.neverLocked += 1 }
            }
        }
        return row
    }

    // MARK: - Key

    public struct KeyRow {
        public var label: String
        public var windows = 0
        public var exact = 0
        public var signature = 0
    }

    /// The key heard after each 8th note-on from the 32nd on.
    func keysHeard(_ notes: [Note], transpose: Int) -> [Key?] {
        var random = SeededRandom(seed: 7)
        let events = script(notes, beatsToSeconds: { $0 * 0.5 }, transpose: transpose, random: &random)
        let engine = listeningEngine()
        var heard: [Key?] = []
        var ons = 0
        var now: Int64 = 0
        for event in events {
            while now + Self.period <= event.frame { now += Self.period; _ = engine.advance(to: now) }
            engine.receive(event.bytes, at: event.frame)
            guard event.bytes.isNoteOn else { continue }
            ons += 1
            if ons >= 32 && ons % 8 == 0 {
                heard.append(engine.status.listening.key.flatMap(Key.init(name:)))
            }
        }
        return heard
    }

    func keyRows(pieces: [Piece]) -> [KeyRow] {
        var bySignature = KeyRow(label: "key signature")
        for piece in pieces {
            guard let truth = piece.key else { continue }
            let heardKeys = keysHeard(piece.notes, transpose: 0)
            for key in heardKeys {
                bySignature.windows += 1
                if key == truth { bySignature.exact += 1 }
                if let key, key.signatureTonic == truth.signatureTonic { bySignature.signature += 1 }
            }
        }
        var transposed = KeyRow(label: "transposed copies")
        if let piece = pieces.first(where: { $0.key != nil }) {
            let base = keysHeard(piece.notes, transpose: 0)
            for shift in 1..<12 {
                let moved = keysHeard(piece.notes, transpose: shift > 6 ? shift - 12 : shift)
                for (a, b) in zip(base, moved) {
                    transposed.windows += 1
                    if let a, let b, b == a.transposed(by: shift) { transposed.exact += 1; transposed.signature += 1 }
                }
            }
            transposed.label = "transposed copies of \(piece.name)"
        }
        return [bySignature, transposed]
    }

    // MARK: - Motifs

    public struct MotifRow {
        public var follow: Double
        public var shares: [Double] = []
        public var answerNotes = 0
    }

    /// Each piece's first phrase (16 beats at 120 BPM) played in call-response; the share of each
    /// answer's patterns that occur in what was played.
    func motifRow(follow: Double, pieces: [Piece]) -> MotifRow {
        var row = MotifRow(follow: follow)
        for (index, piece) in pieces.enumerated() {
            for seed in 0..<options.seeds {
                var random = SeededRandom(seed: UInt64(77 * index + seed + 1))
                let first = piece.notes[0].onsetBeats
                let phrase = piece.notes.filter { $0.onsetBeats - first < 16 }.map { n -> Note in var n = n; n.onsetBeats -= first; return n }
                let events = script(phrase, beatsToSeconds: { $0 * 0.5 }, random: &random)
                let engine = listeningEngine(mode: .callResponse, follow: follow, seed: UInt64(seed + 1))
                var now: Int64 = 0
                var answer: [Int] = []
                func collect(_ output: EngineOutput) {
                    for e in output.events where e.isGenerated && e.bytes.isNoteOn { answer.append(Int(e.bytes.data1)) }
                }
                for event in events {
                    while now + Self.period <= event.frame { now += Self.period; collect(engine.advance(to: now)) }
                    engine.receive(event.bytes, at: event.frame)
                    collect(engine.advance(to: max(now, event.frame)))
                }
                // Silence: the answer (8 beats) and a beat more.
                let end = now + Int64(11 * 0.5 * Self.sampleRate * 1.5)
                while now < end { now += Self.period; collect(engine.advance(to: now)) }
                row.answerNotes += answer.count
                if let share = MotifReuse.share(of: answer, in: phrase.map { Int($0.pitch) }) { row.shares.append(share) }
            }
        }
        return row
    }

    // MARK: - Report

    public func run(print: (String) -> Void) throws {
        let chorales = try pieces(in: "bach-chorales")
        let folk = try pieces(in: "folk-oneills-1850")
        // Simple meters: in 6/8 and 9/8 the felt beat is the dotted quarter, not the file's quarter.
        let simple = (chorales + folk).filter { piece in piece.meter.map { $0.denominator <= 4 } ?? true }
        if options.parts.contains("tempo") { tempoReport(simple, print: print) }
        if options.parts.contains("key") { keyReport(chorales + folk, print: print) }
        if options.parts.contains("motifs") { motifReport(folk, print: print) }
    }

    func tempoReport(_ simple: [Piece], print: (String) -> Void) {
        print("tempo: \(simple.count) pieces in simple meter x \(options.seeds) seeds, first 32 beats, jitter \(Int(options.jitterSeconds * 1000)) ms, fallback 100 BPM")
        print("  played at        performances  median error  within 2%  median lock (beats)  never locked  octave errors  median phase error (beats)")
        var rows: [TempoRow] = []
        for bpm in [60.0, 90, 120, 150, 180] {
            rows.append(tempoRow(label: "\(Int(bpm)) BPM", pieces: simple, beats: 32) { _ in bpm })
        }
        rows.append(tempoRow(label: "110->121 (+10%)", pieces: simple, beats: 32) { b in 110 * pow(1.1, min(b, 32) / 32) })
        for row in rows {
            let within = row.errors.isEmpty ? 0 : Double(row.errors.filter { $0 <= 0.02 }.count) / Double(row.errors.count)
            print("  " + pad(row.label, 18) + pad("\(row.performances)", 14) + pad(percent(median(row.errors)), 14)
                  + pad(percent(within), 11) + pad(fixed(median(row.lockBeats), 1), 21) + pad("\(row.neverLocked)", 14)
                  + pad("\(row.octaveErrors)/\(row.errors.count)", 15) + fixed(median(row.phaseErrors), 3))
        }
    }

    func keyReport(_ pieces: [Piece], print: (String) -> Void) {
        let keyed = pieces.filter { $0.key != nil }
        print("key: windows of 32+ notes (after every 8th note-on), \(keyed.count) pieces with a key signature")
        print("  set                                          windows  exact key  same signature (relative major/minor)")
        for row in keyRows(pieces: keyed) {
            print("  " + pad(row.label, 45) + pad("\(row.windows)", 9) + pad(percent(Double(row.exact) / Double(max(row.windows, 1))), 11)
                  + percent(Double(row.signature) / Double(max(row.windows, 1))))
        }
    }

    func motifReport(_ folk: [Piece], print: (String) -> Void) {
        let tunes = folk.filter { piece in piece.meter.map { $0.denominator <= 4 } ?? true }
        print("motifs: first 16 beats of \(tunes.count) folk tunes at 120 BPM, call-response answers of 8 beats, \(options.seeds) seeds")
        print("  follow  answers  notes/answer  median reuse  mean reuse")
        for follow in [0.0, 0.5, 1.0] {
            let row = motifRow(follow: follow, pieces: tunes)
            let mean = row.shares.isEmpty ? 0 : row.shares.reduce(0, +) / Double(row.shares.count)
            print("  " + pad(fixed(follow, 1), 8) + pad("\(row.shares.count)", 9) + pad(fixed(Double(row.answerNotes) / Double(max(1, tunes.count * options.seeds)), 1), 14)
                  + pad(percent(median(row.shares)), 14) + percent(mean))
        }
        // What people do: the share of each tune's next 8 beats' patterns found in its first 16.
        var human: [Double] = []
        for piece in tunes {
            let first = piece.notes[0].onsetBeats
            let phrase = piece.notes.filter { $0.onsetBeats - first < 16 }.map { Int($0.pitch) }
            let next = piece.notes.filter { $0.onsetBeats - first >= 16 && $0.onsetBeats - first < 24 }.map { Int($0.pitch) }
            if let share = MotifReuse.share(of: next, in: phrase) { human.append(share) }
        }
        print("  the tunes themselves (next 8 beats against the first 16): median reuse \(percent(median(human)))")
    }

    func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    func percent(_ x: Double) -> String { x.isNaN ? "-" : fixed(x * 100, 1) + "%" }
    func fixed(_ x: Double, _ digits: Int) -> String { x.isNaN ? "-" : String(format: "%.\(digits)f", x) }
    func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
}

private extension SeededRandom {
    /// A standard normal draw (Box-Muller).
    mutating func nextGaussian() -> Double {
        let u1 = (Double(next() >> 11) + 1) / 9007199254740993.0
        let u2 = Double(next() >> 11) / 9007199254740992.0
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
