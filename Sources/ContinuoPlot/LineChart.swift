/// One named line of a `LineChart`.
public struct Series: Sendable {
    public var name: String
    /// (x, y) pairs in drawing order; points with a non-finite coordinate are skipped.
    public var points: [(Double, Double)]
    /// Defaults to the next palette colour.
    public var color: RGBA?

    public init(name: String, points: [(Double, Double)], color: RGBA? = nil) {
        self.name = name
        self.points = points
        self.color = color
    }
}

/// Lines over linear axes with 1-2-5 ticks: training and validation curves.
public struct LineChart: Plot, Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width: Int
    public var height: Int

    public init(title: String, xLabel: String, yLabel: String, series: [Series], width: Int = 960, height: Int = 540) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.width = max(width, 200)
        self.height = max(height, 150)
    }

    public struct Axis: Sendable, Hashable {
        public var lower: Double
        public var upper: Double
        public var ticks: [Double]
        public var labels: [String]
    }

    public struct Layout: Sendable, Hashable {
        public var plot: Rect
        public var x: Axis
        public var y: Axis

        public func point(_ dx: Double, _ dy: Double) -> Point {
            Point(plot.minX + (dx - x.lower) / (x.upper - x.lower) * plot.width,
                  plot.maxY - (dy - y.lower) / (y.upper - y.lower) * plot.height)
        }
    }

    var finitePoints: [(Double, Double)] {
        series.flatMap { $0.points.filter { $0.0.isFinite && $0.1.isFinite } }
    }

    public var layout: Layout {
        let points = finitePoints
        let tickStyle = TextStyle(scale: Typography.tick)
        let top = 56.0, bottom = Double(height) - 50, right = Double(width) - 28
        let yAxis = Self.axis(points.map(\.1), length: bottom - top, spacing: 56)
        let labelWidth = yAxis.labels.map { tickStyle.width(of: $0) }.max() ?? 0
        let left = 20 + (yLabel.isEmpty ? 0 : 16) + labelWidth + 10
        let xAxis = Self.axis(points.map(\.0), length: right - left, spacing: 90)
        return Layout(plot: Rect(x: left.rounded(), y: top, width: (right - left).rounded(), height: bottom - top),
                      x: xAxis, y: yAxis)
    }

    /// About one tick per `spacing` pixels.
    static func axis(_ values: [Double], length: Double, spacing: Double) -> Axis {
        let target = max(Int(length / spacing), 2)
        let a = NiceTicks.axis(lo: values.min() ?? 0, hi: values.max() ?? 1, targetCount: target)
        return Axis(lower: a.lower, upper: a.upper, ticks: a.ticks, labels: NiceTicks.labels(for: a.ticks, step: a.step))
    }

    public func draw(on canvas: inout some Canvas) {
        let l = layout
        let plot = l.plot
        canvas.setTitle(title)

        canvas.beginGroup("grid")
        let tick = TextStyle(scale: Typography.tick, color: Palette.mutedText)
        for (value, label) in zip(l.y.ticks, l.y.labels) {
            let y = crisp(l.point(l.x.lower, value).y)
            canvas.line(from: Point(plot.minX, y), to: Point(plot.maxX, y), color: Palette.grid, width: 1)
            var style = tick
            style.anchor = .end
            style.baseline = .middle
            canvas.text(label, at: Point(plot.minX - 8, y), style: style)
        }
        for (value, label) in zip(l.x.ticks, l.x.labels) {
            let x = crisp(l.point(value, l.y.lower).x)
            canvas.line(from: Point(x, plot.minY), to: Point(x, plot.maxY), color: Palette.grid, width: 1)
            canvas.line(from: Point(x, plot.maxY), to: Point(x, plot.maxY + 4), color: Palette.axis, width: 1)
            var style = tick
            style.anchor = .middle
            canvas.text(label, at: Point(x, plot.maxY + 8), style: style)
        }
        canvas.line(from: Point(plot.minX, crisp(plot.maxY)), to: Point(plot.maxX, crisp(plot.maxY)), color: Palette.axis, width: 1)
        canvas.line(from: Point(crisp(plot.minX), plot.minY), to: Point(crisp(plot.minX), plot.maxY + 1), color: Palette.axis, width: 1)
        canvas.endGroup()

        canvas.beginGroup("series")
        for (index, s) in series.enumerated() {
            let color = s.color ?? Palette.series(index)
            let points = s.points.filter { $0.0.isFinite && $0.1.isFinite }.map { l.point($0.0, $0.1) }
            canvas.polyline(Self.thinned(points), color: color, width: 2)
            // Sparse series (validation every N steps) get dots so each measurement is visible.
            if points.count <= 60 {
                for p in points { canvas.circle(center: p, radius: 3, color: color) }
            }
        }
        canvas.endGroup()

        let label = TextStyle(scale: Typography.label, color: Palette.text, anchor: .middle)
        canvas.text(xLabel, at: Point(plot.midX, plot.maxY + 26), style: label)
        var yStyle = label
        yStyle.rotated = true
        canvas.text(yLabel, at: Point(20, plot.midY), style: yStyle)
        canvas.text(title, at: Point(plot.minX, 18), style: TextStyle(scale: Typography.title, color: Palette.text, bold: true))
        let items = series.enumerated().map { LegendItem(name: $1.name, color: $1.color ?? Palette.series($0), swatch: .line) }
        Legend.draw(items, right: plot.maxX, midY: 25, on: &canvas)
        if finitePoints.isEmpty {
            canvas.text("no data", at: Point(plot.midX, plot.midY),
                        style: TextStyle(scale: Typography.title, color: Palette.mutedText, anchor: .middle, baseline: .middle))
        }
    }

    /// Long runs (100k training steps) collapse to first/min/max/last per pixel column: the drawn
    /// envelope is unchanged, and SVG files stay small.
    static func thinned(_ points: [Point]) -> [Point] {
        guard points.count > 4000 else { return points }
        var out: [Point] = []
        var bucket: [Point] = []
        func flush() {
            guard let first = bucket.first, let last = bucket.last else { return }
            let lo = bucket.min { $0.y < $1.y }!, hi = bucket.max { $0.y < $1.y }!
            for p in [first, lo, hi, last] where out.last != p { out.append(p) }
            bucket.removeAll(keepingCapacity: true)
        }
        for p in points {
            if let b = bucket.first, Int(b.x) != Int(p.x) { flush() }
            bucket.append(p)
        }
        flush()
        return out
    }
}
