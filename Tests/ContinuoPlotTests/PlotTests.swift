import ContinuoMIDI
import Testing
@testable import ContinuoPlot

let sampleNotes: [PianoRollNote] = {
    var notes: [PianoRollNote] = []
    let scale = [0, 2, 4, 5, 7, 9, 11, 12]
    for i in 0..<16 {
        notes.append(PianoRollNote(pitch: 60 + scale[i % 8], onsetBeats: Double(i) * 0.5, durationBeats: 0.5,
                                   velocity: 40 + i * 5, part: .primer))
    }
    for i in 0..<24 {
        notes.append(PianoRollNote(pitch: 72 - scale[i % 8], onsetBeats: 8 + Double(i) * 0.5, durationBeats: 0.5,
                                   velocity: 60 + i, part: .generated))
    }
    notes.append(PianoRollNote(pitch: 48, onsetBeats: 8, durationBeats: 4, velocity: 100, part: .generated))
    return notes
}()

@Suite struct PianoRollTests {
    @Test func noteLandsWhereTheLayoutSays() {
        let note = PianoRollNote(pitch: 64, onsetBeats: 6, durationBeats: 1, velocity: 100, part: .primer)
        let roll = PianoRoll(notes: sampleNotes + [note], title: "test")
        let l = roll.layout
        let x = Int(l.x(beats: 6.5)), y = Int(l.rowCenter(pitch: 64))
        // Beat 6.5 is one beat right of 5.5 and the pitch row 4 semitones above C4's.
        #expect(abs(l.x(beats: 6.5) - l.x(beats: 5.5) - l.pixelsPerBeat) < 1e-9)
        #expect(l.rowTop(pitch: 60) - l.rowTop(pitch: 64) == 4 * l.rowHeight)
        #expect(roll.raster()[x, y] == PianoRoll.color(for: .primer, velocity: 100))
    }

    @Test func mappingMatchesMarginsAndRange() {
        let l = PianoRoll(notes: sampleNotes, title: "t").layout
        #expect(l.x(beats: l.startBeat) == l.plot.minX)
        #expect(l.rowTop(pitch: l.highestPitch) == l.plot.minY)
        #expect(l.lowestPitch <= 48 && l.highestPitch >= 72)
        #expect((800...4000).contains(l.width))
    }

    @Test func widthGrowsWithLengthThenClamps() {
        func roll(lastBeat: Double) -> PianoRoll {
            PianoRoll(notes: [PianoRollNote(pitch: 60, onsetBeats: 0, durationBeats: 1),
                              PianoRollNote(pitch: 62, onsetBeats: lastBeat, durationBeats: 1)], title: "")
        }
        let short = roll(lastBeat: 3), long = roll(lastBeat: 99), huge = roll(lastBeat: 10_000)
        #expect(short.width == 800)
        #expect(long.width > 800 && long.width < 4000)
        #expect(huge.width == 4000)
    }

    @Test func partsHaveDifferentHuesAndLouderIsDarker() {
        #expect(PianoRoll.color(for: .primer, velocity: 90) != PianoRoll.color(for: .generated, velocity: 90))
        let soft = PianoRoll.color(for: .generated, velocity: 20), loud = PianoRoll.color(for: .generated, velocity: 120)
        #expect(loud.luminance < soft.luminance)
    }

    @Test func svgHasOneRectPerNoteAndBalancedTags() throws {
        let svg = PianoRoll(notes: sampleNotes, title: "A <roll> & more").svg()
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.contains("<title>A &lt;roll&gt; &amp; more</title>"))
        let notesGroup = try #require(svg.split(separator: "<g class=\"notes\">").last?.split(separator: "</g>").first)
        #expect(notesGroup.components("<rect ") == sampleNotes.count)
        #expect(svg.components("<g ") == svg.components("</g>"))
        #expect(svg.components("<svg ") == 1 && svg.components("</svg>") == 1)
        #expect(svg.components("<text ") == svg.components("</text>"))
    }

    @Test func emptyRollStillDraws() {
        let roll = PianoRoll(notes: [], title: "empty")
        #expect(roll.png().count > 100)
    }
}

@Suite struct LineChartTests {
    @Test func ticksAreNiceAndCoverData() {
        let chart = LineChart(title: "loss", xLabel: "step", yLabel: "loss",
                              series: [Series(name: "train", points: [(0, 7.3), (100, 2.1), (200, .nan), (300, 1.2)])])
        let l = chart.layout
        #expect(l.y.lower <= 1.2 && l.y.upper >= 7.3)
        #expect(l.x.lower == 0 && l.x.upper == 300)
        #expect(l.y.labels.allSatisfy { !$0.contains(".") })
        let png = chart.png()
        #expect(png.count > 100)
    }

    @Test func nanPointsAreSkippedInSVG() {
        let chart = LineChart(title: "", xLabel: "", yLabel: "",
                              series: [Series(name: "a", points: [(0, 1), (1, .nan), (2, 3)])])
        let svg = chart.svg()
        #expect(!svg.contains("nan"))
        #expect(svg.components("<circle ") == 2)
    }

    @Test func thinningKeepsEnvelope() {
        let points = (0..<100_000).map { Point(Double($0) / 100, Double($0 % 7)) }
        let thinned = LineChart.thinned(points)
        #expect(thinned.count < 5000)
        #expect(thinned.map(\.y).max() == 6 && thinned.map(\.y).min() == 0)
    }
}

@Suite struct HeatmapTests {
    @Test func shadeDarkensWithValue() {
        let values = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11.0]]
        let map = Heatmap(title: "histogram", rowLabels: [""], columnLabels: PitchNames.pitchClasses, values: values, showValues: false)
        let raster = map.raster()
        let l = map.layout
        let shades = (0..<12).map { c in
            let r = l.cellRect(row: 0, column: c)
            return raster[Int(r.midX), Int(r.midY)].luminance
        }
        #expect(zip(shades, shades.dropFirst()).allSatisfy { $0 > $1 })
    }

    @Test func matrixRendersBothWays() {
        let values = (0..<12).map { r in (0..<12).map { c in Double((r * 7 + c) % 12) / 11 } }
        let map = Heatmap(title: "transitions", rowLabels: Array(repeating: "x", count: 12),
                          columnLabels: Array(repeating: "y", count: 12), values: values)
        #expect(map.svg().components("<g class=\"cells\">") == 1)
        #expect(DecodedPNG(map.png()).width == map.width)
    }
}

extension StringProtocol {
    func components(_ needle: String) -> Int { split(separator: needle, omittingEmptySubsequences: false).count - 1 }
}

@Suite struct DegenerateInputTests {
    @Test func oddInputsStillRender() {
        let roll = PianoRoll(notes: [PianoRollNote(pitch: 200, onsetBeats: -3, durationBeats: 50_000, velocity: 0, part: .human),
                                     PianoRollNote(pitch: 60, onsetBeats: 0, durationBeats: -1, velocity: 300, part: .primer)],
                             title: "odd", beatsPerBar: 0)
        #expect(roll.width == 4000)
        #expect(DecodedPNG(roll.png()).height == roll.height)

        let single = LineChart(title: "", xLabel: "", yLabel: "", series: [Series(name: "one", points: [(5, 5)])])
        #expect(single.layout.y.lower < 5 && single.layout.y.upper > 5)
        let wild = LineChart(title: "", xLabel: "", yLabel: "",
                             series: [Series(name: "w", points: [(0, 1e300), (1, -1e300), (.infinity, 2)]), Series(name: "empty", points: [])])
        #expect(wild.png().count > 100)

        let empty = Heatmap(title: "none", rowLabels: [], columnLabels: [], values: [])
        #expect(empty.svg().contains("</svg>"))
    }
}
