/// Renders canvas calls into a `Raster`.
public struct RasterCanvas: Canvas {
    public var raster: Raster

    public init(width: Int, height: Int, background: RGBA = .white) {
        raster = Raster(width: width, height: height, background: background)
    }

    public var width: Int { raster.width }
    public var height: Int { raster.height }

    public mutating func fill(_ rect: Rect, color: RGBA, stroke: RGBA?, tooltip: String?) {
        guard let stroke, rect.width > 2, rect.height > 2 else {
            raster.fill(rect, color: stroke ?? color)
            return
        }
        raster.fill(Rect(x: rect.minX + 1, y: rect.minY + 1, width: rect.width - 2, height: rect.height - 2), color: color)
        strokeRect(rect, color: stroke)
    }

    public mutating func line(from: Point, to: Point, color: RGBA, width: Double) {
        raster.line(from: from, to: to, color: color, width: width)
    }

    public mutating func polyline(_ points: [Point], color: RGBA, width: Double) {
        if points.count == 1 { raster.disk(center: points[0], radius: width / 2, color: color) }
        for (a, b) in zip(points, points.dropFirst()) {
            raster.line(from: a, to: b, color: color, width: width)
        }
    }

    public mutating func circle(center: Point, radius: Double, color: RGBA) {
        raster.disk(center: center, radius: radius, color: color)
    }

    public mutating func text(_ text: String, at p: Point, style: TextStyle) {
        let w = style.width(of: text), h = style.capHeight
        let along: Double = switch style.anchor {
        case .start: 0
        case .middle: w / 2
        case .end: w
        }
        let across: Double = switch style.baseline {
        case .top: 0
        case .middle: h / 2
        case .bottom: h
        }
        if style.rotated {
            raster.text(text, x: Int((p.x - across).rounded()), y: Int((p.y + along).rounded()), scale: style.scale,
                        color: style.color, rotated: true, bold: style.bold)
        } else {
            raster.text(text, x: Int((p.x - along).rounded()), y: Int((p.y - across).rounded()), scale: style.scale,
                        color: style.color, bold: style.bold)
        }
    }
}
