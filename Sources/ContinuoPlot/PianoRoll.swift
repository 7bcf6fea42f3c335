import ContinuoMIDI

/// One note as the piano roll sees it; callers map their own note types onto this.
public struct PianoRollNote: Sendable, Hashable {
    public enum Part: Sendable, Hashable, CaseIterable {
        /// Given to the model as context.
        case primer
        /// Produced by the model.
        case generated
        /// Played live by a person.
        case human
    }

    public var pitch: Int
    public var onsetBeats: Double
    public var durationBeats: Double
    public var velocity: Int
    public var part: Part

    public init(pitch: Int, onsetBeats: Double, durationBeats: Double, velocity: Int = 80, part: Part = .generated) {
        self.pitch = pitch
        self.onsetBeats = onsetBeats
        self.durationBeats = durationBeats
        self.velocity = velocity
        self.part = part
    }
}

/// Pitch (rows, one per semitone) against time in beats, with bars numbered from 1.
public struct PianoRoll: Plot, Sendable {
    public var notes: [PianoRollNote]
    public var title: String
    public var beatsPerBar: Int
    /// Where the generation marker goes; by default the first generated onset, shown only when
    /// both primer and generated notes are present.
    public var generationStartBeats: Double?

    public init(notes: [PianoRollNote], title: String, beatsPerBar: Int = 4, generationStartBeats: Double? = nil) {
        self.notes = notes
        self.title = title
        self.beatsPerBar = max(beatsPerBar, 1)
        self.generationStartBeats = generationStartBeats
    }

    /// Geometry of the roll: which beat and pitch land on which pixel.
    public struct Layout: Sendable, Hashable {
        public var width: Int
        public var height: Int
        /// The note area; labels live outside it.
        public var plot: Rect
        public var startBeat: Double
        public var endBeat: Double
        public var pixelsPerBeat: Double
        public var lowestPitch: Int
        public var highestPitch: Int
        public var rowHeight: Double

        /// Left edge of time `beats`.
        public func x(beats: Double) -> Double { plot.minX + (beats - startBeat) * pixelsPerBeat }
        /// Top edge of the row for `pitch`; higher pitches are higher up.
        public func rowTop(pitch: Int) -> Double { plot.minY + Double(highestPitch - pitch) * rowHeight }
        public func rowCenter(pitch: Int) -> Double { rowTop(pitch: pitch) + rowHeight / 2 }

        /// The pixel rectangle a note occupies; ends are snapped to whole pixels so notes stay crisp,
        /// and one pixel is left at the end so repeated notes read as separate.
        public func rect(for note: PianoRollNote) -> Rect {
            let x0 = x(beats: note.onsetBeats).rounded()
            let x1 = max(x(beats: note.onsetBeats + note.durationBeats).rounded() - 1, x0 + 2)
            return Rect(x: x0, y: rowTop(pitch: note.pitch), width: x1 - x0, height: rowHeight)
        }
    }

    static let targetPixelsPerBeat = 20.0
    static let widthRange = 800...4000
    static let margin = (left: 48.0, right: 20.0, top: 60.0, bottom: 36.0)

    public var layout: Layout {
        let bpb = Double(beatsPerBar)
        let firstOnset = notes.map(\.onsetBeats).min() ?? 0
        let lastOffset = notes.map { $0.onsetBeats + max($0.durationBeats, 0) }.max() ?? bpb * 4
        let startBeat = (firstOnset / bpb).rounded(.down) * bpb
        let endBeat = max((lastOffset / bpb).rounded(.up) * bpb, startBeat + bpb)
        let beats = endBeat - startBeat

        let chrome = Self.margin.left + Self.margin.right
        let width = min(max(Int((beats * Self.targetPixelsPerBeat + chrome).rounded()), Self.widthRange.lowerBound),
                        Self.widthRange.upperBound)
        let pixelsPerBeat = (Double(width) - chrome) / beats

        // A couple of empty rows around the music, and at least two octaves so sparse lines keep scale.
        var lo = (notes.map(\.pitch).min() ?? 60) - 2, hi = (notes.map(\.pitch).max() ?? 60) + 2
        while hi - lo < 24 {
            lo -= 1
            hi += 1
        }
        lo = max(lo, 0)
        hi = min(hi, 127)
        let rows = hi - lo + 1
        let rowHeight = min(max((560 / Double(rows)).rounded(.down), 4), 14)
        let plot = Rect(x: Self.margin.left, y: Self.margin.top, width: Double(width) - chrome, height: Double(rows) * rowHeight)
        return Layout(width: width, height: Int(plot.maxY + Self.margin.bottom), plot: plot, startBeat: startBeat,
                      endBeat: endBeat, pixelsPerBeat: pixelsPerBeat, lowestPitch: lo, highestPitch: hi, rowHeight: rowHeight)
    }

    public var width: Int { layout.width }
    public var height: Int { layout.height }

    /// Fill colour: the part's hue, from a pale tint when soft to a deep shade when loud.
    public static func color(for part: PianoRollNote.Part, velocity: Int) -> RGBA {
        let base = baseColor(part)
        let t = Double(min(max(velocity, 1), 127)) / 127
        let pale = RGBA.mix(.white, base, 0.3), deep = RGBA.mix(base, .black, 0.4)
        return t < 0.6 ? RGBA.mix(pale, base, t / 0.6) : RGBA.mix(base, deep, (t - 0.6) / 0.4)
    }

    /// Blue and orange: the pair most colour-vision deficiencies still tell apart.
    public static func baseColor(_ part: PianoRollNote.Part) -> RGBA {
        switch part {
        case .primer: RGBA(hex: 0x2F6DB5)
        case .generated: RGBA(hex: 0xE8731A)
        case .human: RGBA(hex: 0x2E9E5B)
        }
    }

    var generationStart: Double? {
        if let generationStartBeats { return generationStartBeats }
        let parts = Set(notes.map(\.part))
        guard parts.contains(.primer), parts.contains(.generated) else { return nil }
        return notes.filter { $0.part == .generated }.map(\.onsetBeats).min()
    }

    public func draw(on canvas: inout some Canvas) {
        let l = layout
        let plot = l.plot
        canvas.setTitle(title)

        canvas.beginGroup("grid")
        for pitch in l.lowestPitch...l.highestPitch where [1, 3, 6, 8, 10].contains(pitch % 12) {
            canvas.fill(Rect(x: plot.minX, y: l.rowTop(pitch: pitch), width: plot.width, height: l.rowHeight),
                        color: RGBA(hex: 0xF1F3F6))
        }
        let beatCount = Int((l.endBeat - l.startBeat).rounded())
        let barStride = barLabelStride(l)
        for beat in 0...beatCount {
            let isBar = beat % beatsPerBar == 0
            if !isBar && l.pixelsPerBeat < 8 { continue }
            // Very long pieces keep only the labelled bar lines rather than a solid wash of grey.
            if isBar && l.pixelsPerBeat * Double(beatsPerBar) < 6 && (beat / beatsPerBar) % barStride != 0 { continue }
            let x = crisp(l.x(beats: l.startBeat + Double(beat)))
            canvas.line(from: Point(x, plot.minY), to: Point(x, plot.maxY),
                        color: isBar ? RGBA(hex: 0xC3C9D0) : RGBA(hex: 0xE8EBEF), width: 1)
        }
        // A line under every C marks the octaves, the way keyboards are read.
        for pitch in l.lowestPitch...l.highestPitch where pitch % 12 == 0 {
            let y = crisp(l.rowTop(pitch: pitch) + l.rowHeight - 0.5)
            canvas.line(from: Point(plot.minX, y), to: Point(plot.maxX, y), color: RGBA(hex: 0xAEB6BF), width: 1)
        }
        canvas.endGroup()

        canvas.beginGroup("notes")
        let stroked = l.rowHeight >= 6
        for note in notes where note.pitch >= l.lowestPitch && note.pitch <= l.highestPitch {
            canvas.fill(l.rect(for: note), color: Self.color(for: note.part, velocity: note.velocity),
                        stroke: stroked ? RGBA.mix(Self.baseColor(note.part), .black, 0.45) : nil,
                        tooltip: "\(PitchNames.noteName(note.pitch)) vel \(note.velocity) at beat \(NumberFormat.short(note.onsetBeats))")
        }
        canvas.endGroup()

        canvas.strokeRect(Rect(x: plot.minX - 1, y: plot.minY - 1, width: plot.width + 2, height: plot.height + 2),
                          color: Palette.frame)
        drawLabels(l, on: &canvas)
        if notes.isEmpty {
            canvas.text("no notes", at: Point(plot.midX, plot.midY),
                        style: TextStyle(scale: Typography.title, color: Palette.mutedText, anchor: .middle, baseline: .middle))
        }
    }

    /// Label every bar when there is room, else every 2nd, 4th, ... so numbers never collide.
    private func barLabelStride(_ l: Layout) -> Int {
        let barWidth = l.pixelsPerBeat * Double(beatsPerBar)
        var every = 1
        while barWidth * Double(every) < 36 { every *= 2 }
        return every
    }

    private func drawLabels(_ l: Layout, on canvas: inout some Canvas) {
        let plot = l.plot
        let tick = TextStyle(scale: Typography.tick, color: Palette.mutedText, anchor: .end, baseline: .middle)
        for pitch in l.lowestPitch...l.highestPitch where pitch % 12 == 0 {
            canvas.text(PitchNames.noteName(pitch), at: Point(plot.minX - 7, l.rowCenter(pitch: pitch)), style: tick)
        }

        let bars = Int(((l.endBeat - l.startBeat) / Double(beatsPerBar)).rounded())
        let every = barLabelStride(l)
        let firstBar = Int((l.startBeat / Double(beatsPerBar)).rounded()) + 1
        let barStyle = TextStyle(scale: Typography.tick, color: Palette.mutedText, anchor: .middle)
        for i in stride(from: 0, to: bars, by: every) {
            let x = l.x(beats: l.startBeat + Double(i * beatsPerBar))
            canvas.line(from: Point(crisp(x), plot.maxY + 1), to: Point(crisp(x), plot.maxY + 5), color: Palette.frame, width: 1)
            canvas.text(String(firstBar + i), at: Point(crisp(x), plot.maxY + 9), style: barStyle)
        }
        canvas.text("bar", at: Point(plot.minX - 7, plot.maxY + 9), style: TextStyle(scale: Typography.tick, color: Palette.mutedText, anchor: .end))

        canvas.text(title, at: Point(plot.minX, 18), style: TextStyle(scale: Typography.title, color: Palette.text, bold: true))

        let present = PianoRollNote.Part.allCases.filter { part in notes.contains { $0.part == part } }
        var items = present.map { part in
            LegendItem(name: "\(part)", color: Self.color(for: part, velocity: 100), swatch: .box)
        }
        if !items.isEmpty { items.append(LegendItem(name: "darker = louder", color: Palette.mutedText, swatch: .none)) }
        Legend.draw(items, right: plot.maxX, midY: 25, on: &canvas)

        if let start = generationStart, start >= l.startBeat, start <= l.endBeat {
            let x = crisp(l.x(beats: start))
            canvas.dashedLine(from: Point(x, plot.minY - 6), to: Point(x, plot.maxY), color: Palette.text, width: 1.5)
            canvas.text("generation \u{2192}", at: Point(x + 5, plot.minY - 6),
                        style: TextStyle(scale: Typography.label, color: Palette.text, baseline: .bottom))
        }
    }
}
