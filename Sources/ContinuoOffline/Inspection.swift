import ContinuoEncoding
import ContinuoMIDI

/// What `continuo inspect` reports about one MIDI file.
public struct Inspection: Codable, Sendable {
    public struct Track: Codable, Sendable {
        public var index: Int
        public var name: String?
        public var events: Int
        public var notes: Int
        public var channels: [Int]
        public var programs: [Int]
        public var role: String?
    }

    public struct Tempo: Codable, Sendable {
        public var tick: Int
        public var seconds: Double
        public var bpm: Double
    }

    public struct Marker: Codable, Sendable {
        public var tick: Int
        public var beats: Double
        public var value: String
    }

    public struct PitchRange: Codable, Sendable {
        public var lowest: Int
        public var highest: Int
    }

    public var file: String
    public var format: Int
    public var division: String
    public var tracks: [Track]
    public var tempoMap: [Tempo]
    public var timeSignatures: [Marker]
    public var keySignatures: [Marker]
    public var notes: Int
    public var drumNotes: Int
    public var durationSeconds: Double
    public var durationBeats: Double
    public var pitchRange: PitchRange?
    public var warnings: [String]

    public init(file name: String, read: MIDIReadResult) {
        let file = read.file
        self.file = name
        format = Int(file.format.rawValue)
        switch file.division {
        case let .ticksPerQuarter(tpq): division = "\(tpq) ticks per quarter"
        case let .smpte(fps, tpf): division = "SMPTE \(fps == 29 ? "29.97" : String(fps)) fps x \(tpf) ticks per frame"
        }
        let withDrums = NoteExtractor(includeDrums: true).performance(of: file)
        let performance = NoteExtractor().performance(of: file)
        let roles = TrackFilter.roles(of: withDrums.notes)
        var notesPerTrack: [Int: Int] = [:]
        for note in withDrums.notes { notesPerTrack[note.track, default: 0] += 1 }
        tracks = file.tracks.enumerated().map { index, track in
            var channels = Set<Int>(), programs = Set<Int>()
            for event in track.events {
                if let channel = event.message.channel { channels.insert(Int(channel)) }
                if case let .programChange(_, program) = event.message { programs.insert(Int(program)) }
            }
            return Track(index: index, name: track.name, events: track.eventCount, notes: notesPerTrack[index] ?? 0,
                         channels: channels.sorted().map { $0 + 1 }, programs: programs.sorted(), role: roles[index]?.rawValue)
        }
        let tempo = TempoMap(file: file, track: file.format == .independentPatterns ? 0 : nil)
        tempoMap = tempo.segments.map { Tempo(tick: $0.tick, seconds: tempo.seconds(atTick: $0.tick), bpm: 60e6 / Double($0.microsecondsPerQuarter)) }
        var times: [Marker] = [], keys: [Marker] = []
        for track in file.tracks {
            for event in track.events {
                switch event.message {
                case let .meta(.timeSignature(n, d, _, _)):
                    times.append(Marker(tick: event.tick, beats: tempo.beats(atTick: event.tick), value: "\(n)/\(1 << min(d, 16))"))
                case let .meta(.keySignature(sharps, minor)):
                    keys.append(Marker(tick: event.tick, beats: tempo.beats(atTick: event.tick), value: Self.keyName(sharps: sharps, minor: minor)))
                default: continue
                }
            }
        }
        timeSignatures = times.sorted { $0.tick < $1.tick }
        keySignatures = keys.sorted { $0.tick < $1.tick }
        notes = performance.notes.count
        drumNotes = withDrums.notes.count - performance.notes.count
        durationSeconds = withDrums.durationSeconds
        durationBeats = withDrums.durationBeats
        if let low = performance.notes.map(\.pitch).min(), let high = performance.notes.map(\.pitch).max() {
            pitchRange = PitchRange(lowest: Int(low), highest: Int(high))
        }
        warnings = read.warnings.map(\.description)
    }

    static func keyName(sharps: Int8, minor: Bool) -> String {
        let majors = ["Cb", "Gb", "Db", "Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#"]
        let minors = ["Ab", "Eb", "Bb", "F", "C", "G", "D", "A", "E", "B", "F#", "C#", "G#", "D#", "A#"]
        let i = Int(sharps) + 7
        guard (0..<15).contains(i) else { return "\(sharps) sharps\(minor ? " minor" : "")" }
        return minor ? "\(minors[i]) minor" : "\(majors[i]) major"
    }


    /// The human-readable report.
    public var text: String {
        var lines: [String] = []
        lines.append("\(file)")
        lines.append("  format \(format), \(division), \(tracks.count) track\(tracks.count == 1 ? "" : "s")")
        lines.append("  duration \(Self.clock(durationSeconds)) (\(Self.fixed(durationBeats, 2)) beats)")
        var noteLine = "  notes \(notes)"
        if drumNotes > 0 { noteLine += " (+\(drumNotes) on the drum channel, left out)" }
        if let range = pitchRange {
            noteLine += ", range \(PitchNames.noteName(range.lowest))-\(PitchNames.noteName(range.highest)) (\(range.lowest)-\(range.highest))"
        }
        lines.append(noteLine)
        let shownTempos = tempoMap.prefix(8).map { "\(Self.fixed($0.bpm, 1)) bpm at \(Self.fixed($0.seconds, 2))s" }
        lines.append("  tempo \(shownTempos.joined(separator: ", "))\(tempoMap.count > 8 ? " ... (\(tempoMap.count) changes)" : "")")
        if !timeSignatures.isEmpty {
            lines.append("  time signature " + timeSignatures.prefix(6).map { "\($0.value) at beat \(Self.fixed($0.beats, 2))" }.joined(separator: ", "))
        }
        if !keySignatures.isEmpty {
            lines.append("  key " + keySignatures.prefix(6).map { "\($0.value) at beat \(Self.fixed($0.beats, 2))" }.joined(separator: ", "))
        }
        lines.append("  tracks:")
        for track in tracks {
            var line = "    \(track.index): \(track.name.map { "\"\($0)\"" } ?? "(no name)")  \(track.events) events, \(track.notes) notes"
            if !track.channels.isEmpty { line += ", channel\(track.channels.count > 1 ? "s" : "") \(track.channels.map(String.init).joined(separator: ","))" }
            if !track.programs.isEmpty { line += ", program\(track.programs.count > 1 ? "s" : "") \(track.programs.map(String.init).joined(separator: ","))" }
            if let role = track.role { line += ", \(role)" }
            lines.append(line)
        }
        for warning in warnings { lines.append("  warning: \(warning)") }
        return lines.joined(separator: "\n")
    }

    public static func fixedString(_ value: Double, _ digits: Int) -> String { fixed(value, digits) }

    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let fraction = Int(((seconds - Double(total)) * 1000).rounded())
        let ms = String(repeating: "0", count: 3 - String(min(fraction, 999)).count) + String(min(fraction, 999))
        return "\(total / 60):\(total % 60 < 10 ? "0" : "")\(total % 60).\(ms)"
    }
}
