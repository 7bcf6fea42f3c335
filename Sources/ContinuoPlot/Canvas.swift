/// Where a text's anchor point sits along the text.
public enum TextAnchor: Sendable { case start, middle, end }

/// Where a text's anchor point sits across the text, measured on the cap box (capitals and
/// digits), so numbers centre on tick marks whatever letters they contain.
public enum TextBaseline: Sendable { case top, middle, bottom }

public struct TextStyle: Sendable {
    /// Integer multiple of the 5x7 bitmap font; SVG output uses a matching font size.
    public var scale: Int
    public var color: RGBA
    public var anchor: TextAnchor
    public var baseline: TextBaseline
    /// Reads bottom to top (y-axis titles); anchor and baseline are then along and across that direction.
    public var rotated: Bool
    public var bold: Bool

    public init(scale: Int = 1, color: RGBA = Palette.text, anchor: TextAnchor = .start, baseline: TextBaseline = .top,
                rotated: Bool = false, bold: Bool = false) {
        self.scale = scale
        self.color = color
        self.anchor = anchor
        self.baseline = baseline
        self.rotated = rotated
        self.bold = bold
    }

    public var capHeight: Double { Double(BitmapFont.capHeight * scale) }
    public func width(of text: String) -> Double { Double(BitmapFont.width(of: text, scale: scale)) }
}

/// The drawing vocabulary every plot uses, so each plot is laid out once and rendered to a
/// bitmap (`RasterCanvas`) or to vector form (`SVGCanvas`) with identical geometry.
public protocol Canvas {
    var width: Int { get }
    var height: Int { get }
    /// Document-level title (SVG `<title>`); bitmaps ignore it.
    mutating func setTitle(_ title: String)
    mutating func fill(_ rect: Rect, color: RGBA, stroke: RGBA?, tooltip: String?)
    mutating func line(from: Point, to: Point, color: RGBA, width: Double)
    mutating func polyline(_ points: [Point], color: RGBA, width: Double)
    mutating func circle(center: Point, radius: Double, color: RGBA)
    mutating func text(_ text: String, at: Point, style: TextStyle)
    /// Named grouping (SVG `<g class=...>`), so SVG consumers can find e.g. all notes.
    mutating func beginGroup(_ name: String)
    mutating func endGroup()
}

extension Canvas {
    public mutating func setTitle(_ title: String) {}
    public mutating func beginGroup(_ name: String) {}
    public mutating func endGroup() {}

    public mutating func fill(_ rect: Rect, color: RGBA) {
        fill(rect, color: color, stroke: nil, tooltip: nil)
    }

    /// A 1-unit outline drawn inside `rect`, so it never spills into neighbouring elements.
    public mutating func strokeRect(_ rect: Rect, color: RGBA) {
        fill(Rect(x: rect.minX, y: rect.minY, width: rect.width, height: 1), color: color)
        fill(Rect(x: rect.minX, y: rect.maxY - 1, width: rect.width, height: 1), color: color)
        fill(Rect(x: rect.minX, y: rect.minY + 1, width: 1, height: rect.height - 2), color: color)
        fill(Rect(x: rect.maxX - 1, y: rect.minY + 1, width: 1, height: rect.height - 2), color: color)
    }

    /// Dashes are separate segments, so both back ends draw the same pattern.
    public mutating func dashedLine(from p0: Point, to p1: Point, color: RGBA, width: Double = 1,
                                    dash: Double = 6, gap: Double = 4) {
        let dx = p1.x - p0.x, dy = p1.y - p0.y
        let length = (dx * dx + dy * dy).squareRoot()
        guard length > 0 else { return }
        var s = 0.0
        while s < length {
            let e = min(s + dash, length)
            line(from: Point(p0.x + dx * s / length, p0.y + dy * s / length),
                 to: Point(p0.x + dx * e / length, p0.y + dy * e / length), color: color, width: width)
            s = e + gap
        }
    }
}
