/// A grid of values shaded on a sequential colour map: pitch-class histograms (one row) and
/// transition matrices (rows = from, columns = to).
public struct Heatmap: Plot, Sendable {
    public var title: String
    public var rowLabels: [String]
    public var columnLabels: [String]
    /// values[row][column]; ragged rows are padded with NaN, which draws as grey.
    public var values: [[Double]]
    public var rowAxisLabel: String
    public var columnAxisLabel: String
    /// The values mapped to the lightest and darkest colour; defaults to the data's extent,
    /// starting from 0 when nothing is negative (counts and probabilities read from zero).
    public var range: ClosedRange<Double>?
    /// Print each value in its cell; by default only when the cells are big enough.
    public var showValues: Bool?

    public init(title: String, rowLabels: [String], columnLabels: [String], values: [[Double]],
                rowAxisLabel: String = "", columnAxisLabel: String = "", range: ClosedRange<Double>? = nil,
                showValues: Bool? = nil) {
        self.title = title
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.values = values
        self.rowAxisLabel = rowAxisLabel
        self.columnAxisLabel = columnAxisLabel
        self.range = range
        self.showValues = showValues
    }

    public var rows: Int { max(values.count, rowLabels.count, 1) }
    public var columns: Int { max(values.map(\.count).max() ?? 0, columnLabels.count, 1) }

    public func value(row: Int, column: Int) -> Double {
        row < values.count && column < values[row].count ? values[row][column] : .nan
    }

    public struct Layout: Sendable, Hashable {
        public var width: Int
        public var height: Int
        public var grid: Rect
        public var cellSize: Double
        public var rotatedColumnLabels: Bool
        public var colorBar: Rect

        public func cellRect(row: Int, column: Int) -> Rect {
            Rect(x: grid.minX + Double(column) * cellSize, y: grid.minY + Double(row) * cellSize,
                 width: cellSize, height: cellSize)
        }
    }

    public var valueRange: ClosedRange<Double> {
        if let range { return range }
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return 0...1 }
        return lo >= 0 ? 0...hi : lo...hi
    }

    public func color(for v: Double) -> RGBA {
        let r = valueRange
        guard v.isFinite else { return Palette.sequential(.nan) }
        return Palette.sequential(r.upperBound > r.lowerBound ? (v - r.lowerBound) / (r.upperBound - r.lowerBound) : 0)
    }

    public var layout: Layout {
        let tick = TextStyle(scale: Typography.tick)
        let cell = min(max((min(560 / Double(columns), 420 / Double(rows))).rounded(.down), 14), 48)
        let rowLabelWidth = (0..<rows).map { tick.width(of: label(rowLabels, $0)) }.max() ?? 0
        let columnLabelWidth = (0..<columns).map { tick.width(of: label(columnLabels, $0)) }.max() ?? 0
        let rotated = columnLabelWidth > cell - 4
        let left = (16 + (rowAxisLabel.isEmpty ? 0 : 18) + rowLabelWidth + 8).rounded()
        let grid = Rect(x: left, y: 56, width: Double(columns) * cell, height: Double(rows) * cell)
        var y = grid.maxY + 8 + (rotated ? columnLabelWidth : tick.capHeight) + 10
        if !columnAxisLabel.isEmpty { y += 18 }
        let bar = Rect(x: grid.minX, y: y, width: min(max(grid.width, 160), 320), height: 10)
        // Bold glyphs are drawn one pixel wider per stroke; leave room for them.
        let titleWidth = TextStyle(scale: Typography.title).width(of: title) + Double(title.count * Typography.title)
        let width = Int(max(grid.maxX, bar.maxX, left + titleWidth, 240) + 24)
        return Layout(width: width, height: Int(bar.maxY + 30), grid: grid, cellSize: cell,
                      rotatedColumnLabels: rotated, colorBar: bar)
    }

    public var width: Int { layout.width }
    public var height: Int { layout.height }

    private func label(_ labels: [String], _ i: Int) -> String { i < labels.count ? labels[i] : "" }

    public func draw(on canvas: inout some Canvas) {
        let l = layout
        canvas.setTitle(title)
        let r = valueRange
        let decimals = cellDecimals
        func cellText(_ v: Double) -> String { v.isFinite ? NumberFormat.fixed(v, decimals: decimals) : "" }
        let printValues = showValues ?? (l.cellSize >= 26 && (0..<rows).allSatisfy { row in
            (0..<columns).allSatisfy { TextStyle().width(of: cellText(value(row: row, column: $0))) <= l.cellSize - 4 }
        })

        canvas.beginGroup("cells")
        for row in 0..<rows {
            for column in 0..<columns {
                let v = value(row: row, column: column)
                let cell = l.cellRect(row: row, column: column)
                // A hairline of background between cells keeps equal neighbours distinct.
                let inner = Rect(x: cell.minX, y: cell.minY, width: cell.width - 1, height: cell.height - 1)
                let fill = color(for: v)
                canvas.fill(inner, color: fill, stroke: nil, tooltip: "\(label(rowLabels, row)) \u{2192} \(label(columnLabels, column)): \(cellText(v))")
                if printValues && v.isFinite {
                    canvas.text(cellText(v), at: Point(inner.midX, inner.midY),
                                style: TextStyle(color: Palette.textColor(on: fill), anchor: .middle, baseline: .middle))
                }
            }
        }
        canvas.endGroup()

        let tick = TextStyle(scale: Typography.tick, color: Palette.mutedText, anchor: .end, baseline: .middle)
        for row in 0..<rows {
            canvas.text(label(rowLabels, row), at: Point(l.grid.minX - 7, l.cellRect(row: row, column: 0).midY), style: tick)
        }
        for column in 0..<columns {
            let x = l.cellRect(row: 0, column: column).midX - 0.5
            if l.rotatedColumnLabels {
                canvas.text(label(columnLabels, column), at: Point(x, l.grid.maxY + 6),
                            style: TextStyle(scale: Typography.tick, color: Palette.mutedText, anchor: .end,
                                             baseline: .middle, rotated: true))
            } else {
                canvas.text(label(columnLabels, column), at: Point(x, l.grid.maxY + 6),
                            style: TextStyle(scale: Typography.tick, color: Palette.mutedText, anchor: .middle))
            }
        }
        let axisStyle = TextStyle(scale: Typography.label, color: Palette.text, anchor: .middle)
        if !columnAxisLabel.isEmpty {
            canvas.text(columnAxisLabel, at: Point(l.grid.midX, l.colorBar.minY - 26), style: axisStyle)
        }
        if !rowAxisLabel.isEmpty {
            var style = axisStyle
            style.rotated = true
            canvas.text(rowAxisLabel, at: Point(16, l.grid.midY), style: style)
        }

        drawColorBar(l.colorBar, range: r, on: &canvas)
        canvas.text(title, at: Point(l.grid.minX, 18), style: TextStyle(scale: Typography.title, color: Palette.text, bold: true))
    }

    /// One number of decimals for every cell (two significant digits of the largest value, none
    /// for counts), so columns of values line up and compare at a glance.
    private var cellDecimals: Int {
        let finite = values.flatMap { $0 }.filter(\.isFinite)
        if finite.allSatisfy({ $0 == $0.rounded() }) { return 0 }
        let largest = finite.map(abs).max() ?? 0
        return largest > 0 ? max(0, 1 - NumberFormat.exponent(of: largest)) : 0
    }

    /// Drawn as thin slices so the SVG shows the same gradient as the bitmap without gradient support.
    private func drawColorBar(_ bar: Rect, range r: ClosedRange<Double>, on canvas: inout some Canvas) {
        canvas.beginGroup("colorbar")
        let slices = Int(bar.width)
        for i in 0..<slices {
            canvas.fill(Rect(x: bar.minX + Double(i), y: bar.minY, width: 1, height: bar.height),
                        color: Palette.sequential((Double(i) + 0.5) / Double(slices)))
        }
        canvas.strokeRect(Rect(x: bar.minX - 1, y: bar.minY - 1, width: bar.width + 2, height: bar.height + 2), color: Palette.frame)
        canvas.endGroup()
        // Nice ticks inside the range, like an axis; the extremes only when no tick fits.
        let span = r.upperBound - r.lowerBound
        let target = max(Int(bar.width / 70), 2)
        let step = NiceTicks.step(span: span, targetCount: target)
        let ticks = span > 0 ? NiceTicks.multiples(of: step, from: r.lowerBound, to: r.upperBound) : []
        var marks = zip(ticks, NiceTicks.labels(for: ticks, step: step)).map { ($0, $1) }
        if marks.count < 2 {
            marks = [(r.lowerBound, NumberFormat.significant(r.lowerBound)), (r.upperBound, NumberFormat.significant(r.upperBound))]
        }
        for (value, text) in marks {
            let x = crisp(bar.minX + (span > 0 ? (value - r.lowerBound) / span : 0) * (bar.width - 1))
            canvas.line(from: Point(x, bar.maxY + 1), to: Point(x, bar.maxY + 4), color: Palette.axis, width: 1)
            canvas.text(text, at: Point(x, bar.maxY + 7),
                        style: TextStyle(scale: Typography.tick, color: Palette.mutedText, anchor: .middle))
        }
    }
}
