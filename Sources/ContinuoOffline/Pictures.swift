import ContinuoEncoding
import ContinuoMIDI
import ContinuoPlot
import Foundation

/// The pictures `continuo plot` draws, from files people have: MIDI files, training logs.
public enum Pictures {
    public enum PictureError: Error, CustomStringConvertible {
        case unknownFormat(String)
        case emptyLog(String)
        case noNotes(String)

        public var description: String {
            switch self {
            case let .unknownFormat(path): return "\(path): say .png or .svg"
            case let .emptyLog(path): return "\(path) has no training rows (is it the CSV written by `continuo train`?)"
            case let .noNotes(path): return "\(path): no notes to draw"
            }
        }
    }

    /// Writes PNG or SVG by the output's extension.
    public static func write(_ plot: some Plot, to path: String) throws {
        switch (path as NSString).pathExtension.lowercased() {
        case "png": try FileBytes.write(plot.png(), to: path)
        case "svg": try FileBytes.write(Array(plot.svg().utf8), to: path)
        default: throw PictureError.unknownFormat(path)
        }
    }

    /// A piano roll of a MIDI file. Tracks named "primer" and "continuo" (as `generate` writes
    /// them) are told apart; a "continuo starts" marker places the generation line.
    public static func pianoRoll(midi path: String, title: String? = nil) throws -> PianoRoll {
        let file = try MIDIFileLoader.read(path).file
        let notes = NoteExtractor().performance(of: file).notes
        guard !notes.isEmpty else { throw PictureError.noNotes(path) }
        let names = file.tracks.map { $0.name?.lowercased() ?? "" }
        let parts = notes.map { note -> PianoRollNote in
            let name = names.indices.contains(note.track) ? names[note.track] : ""
            let part: PianoRollNote.Part = name == "primer" ? .primer : name == "continuo" ? .generated : .human
            return PianoRollNote(pitch: Int(note.pitch), onsetBeats: note.onsetBeats, durationBeats: note.durationBeats,
                                 velocity: Int(note.velocity), part: part)
        }
        var start: Double?
        let tempo = TempoMap(file: file)
        for track in file.tracks {
            for event in track.events {
                if case let .meta(.text(.marker, text)) = event.message, MetaEvent.decodeText(text) == "continuo starts" {
                    start = tempo.beats(atTick: event.tick)
                }
            }
        }
        var beatsPerBar = 4
        for event in file.tracks.first?.events ?? [] {
            if case let .meta(.timeSignature(n, d, _, _)) = event.message, d <= 4 {
                beatsPerBar = max(1, Int((Double(n) * 4 / Double(1 << d)).rounded()))
                break
            }
        }
        return PianoRoll(notes: parts, title: title ?? (path as NSString).lastPathComponent, beatsPerBar: beatsPerBar,
                         generationStartBeats: start)
    }

    /// Training curves from the CSV log `train` writes: training loss per logged step and
    /// validation loss per epoch, in nats per event.
    public static func trainingCurves(log path: String, title: String? = nil) throws -> LineChart {
        let text = String(decoding: try FileBytes.read(path), as: UTF8.self)
        var rows = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first else { throw PictureError.emptyLog(path) }
        rows.removeFirst()
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let step = column("step"), let train = column("train_loss"), let validation = column("validation_nats_per_event") else {
            throw PictureError.emptyLog(path)
        }
        var trainPoints: [(Double, Double)] = [], validationPoints: [(Double, Double)] = []
        for row in rows where row.count == header.count {
            guard let s = Double(row[step]) else { continue }
            if let v = Double(row[validation]) {
                validationPoints.append((s, v))
            } else if let t = Double(row[train]) {
                trainPoints.append((s, t))
            }
        }
        guard !trainPoints.isEmpty || !validationPoints.isEmpty else { throw PictureError.emptyLog(path) }
        return LineChart(title: title ?? "Training: \((path as NSString).lastPathComponent)", xLabel: "step",
                         yLabel: "loss (nats per event)",
                         series: [Series(name: "training (per window)", points: trainPoints),
                                  Series(name: "validation (per epoch)", points: validationPoints)])
    }

    /// Pitch-class transitions (rows: from, columns: to, each row as a distribution) of the
    /// notes of MIDI files: one file or every file under a folder.
    public static func pitchClassHeatmap(_ path: String, histogramOnly: Bool = false) throws -> Heatmap {
        var transitions = [[Double]](repeating: [Double](repeating: 0, count: 12), count: 12)
        var histogram = [Double](repeating: 0, count: 12)
        var isFolder: ObjCBool = false
        let paths = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
            ? try CorpusScanner.scan([path]).map(\.path) : [path]
        for file in paths {
            guard let read = try? MIDIFileLoader.read(file) else { continue }
            let pitches = quantize(NoteExtractor().performance(of: read.file).notes).map { Int($0.pitch) % 12 }
            for p in pitches { histogram[p] += 1 }
            for (a, b) in zip(pitches, pitches.dropFirst()) { transitions[a][b] += 1 }
        }
        guard histogram.reduce(0, +) > 0 else { throw PictureError.noNotes(path) }
        let name = (path as NSString).lastPathComponent
        if histogramOnly {
            let total = histogram.reduce(0, +)
            return Heatmap(title: "Pitch classes: \(name)", rowLabels: [""], columnLabels: PitchNames.pitchClasses,
                           values: [histogram.map { $0 / total }], rowAxisLabel: "", columnAxisLabel: "pitch class",
                           range: nil, showValues: true)
        }
        let rows = transitions.map { row -> [Double] in
            let sum = row.reduce(0, +)
            return sum > 0 ? row.map { $0 / sum } : row
        }
        return Heatmap(title: "Pitch-class transitions: \(name)", rowLabels: PitchNames.pitchClasses, columnLabels: PitchNames.pitchClasses,
                       values: rows, rowAxisLabel: "from", columnAxisLabel: "to", range: nil, showValues: true)
    }
}
