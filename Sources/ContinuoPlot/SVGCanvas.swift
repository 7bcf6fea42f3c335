/// Renders canvas calls into an `SVGDocument`.
public struct SVGCanvas: Canvas {
    public var document: SVGDocument

    public init(width: Int, height: Int, background: RGBA = .white) {
        document = SVGDocument(width: width, height: height)
        if background.a > 0 {
            document.rect(Rect(x: 0, y: 0, width: Double(width), height: Double(height)), fill: background)
        }
    }

    public var width: Int { document.width }
    public var height: Int { document.height }

    public mutating func setTitle(_ title: String) { document.title = title }
    public mutating func beginGroup(_ name: String) { document.beginGroup(name) }
    public mutating func endGroup() { document.endGroup() }

    public mutating func fill(_ rect: Rect, color: RGBA, stroke: RGBA?, tooltip: String?) {
        // The raster draws its outline inside the rectangle; an SVG stroke is centred on the edge.
        if let stroke {
            let inset = Rect(x: rect.x + 0.5, y: rect.y + 0.5, width: max(rect.width - 1, 0), height: max(rect.height - 1, 0))
            document.rect(inset, fill: color, stroke: stroke, tooltip: tooltip)
        } else {
            document.rect(rect, fill: color, tooltip: tooltip)
        }
    }

    public mutating func line(from: Point, to: Point, color: RGBA, width: Double) {
        document.line(from: from, to: to, stroke: color, width: width)
    }

    public mutating func polyline(_ points: [Point], color: RGBA, width: Double) {
        document.polyline(points, stroke: color, width: width)
    }

    public mutating func circle(center: Point, radius: Double, color: RGBA) {
        document.circle(center: center, radius: radius, fill: color)
    }

    public mutating func text(_ text: String, at p: Point, style: TextStyle) {
        let drop: Double = switch style.baseline {
        case .top: style.capHeight
        case .middle: style.capHeight / 2
        case .bottom: 0
        }
        document.text(text, at: p, baselineOffset: drop, fontSize: SVGDocument.fontSize(forScale: style.scale),
                      fill: style.color, anchor: style.anchor, rotated: style.rotated, bold: style.bold)
    }
}
