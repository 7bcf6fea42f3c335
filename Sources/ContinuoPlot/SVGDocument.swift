/// A minimal SVG 1.1 writer: enough elements for charts, attributes escaped, numbers short.
public struct SVGDocument: Sendable {
    public let width: Int
    public let height: Int
    public var title: String?
    private var body: [String] = []
    private var openGroups = 0

    public init(width: Int, height: Int, title: String? = nil) {
        self.width = width
        self.height = height
        self.title = title
    }

    /// Font size whose cap height (about 0.73 em in common monospace faces) matches the bitmap font.
    public static func fontSize(forScale scale: Int) -> Double { 9.6 * Double(max(scale, 1)) }

    public mutating func rect(_ r: Rect, fill: RGBA, stroke: RGBA? = nil, strokeWidth: Double = 1, tooltip: String? = nil) {
        var attrs = "x=\"\(num(r.x))\" y=\"\(num(r.y))\" width=\"\(num(r.width))\" height=\"\(num(r.height))\"" + paint("fill", fill)
        if let stroke { attrs += paint("stroke", stroke) + " stroke-width=\"\(num(strokeWidth))\"" }
        if let tooltip {
            body.append("<rect \(attrs)><title>\(escape(tooltip))</title></rect>")
        } else {
            body.append("<rect \(attrs)/>")
        }
    }

    public mutating func line(from a: Point, to b: Point, stroke: RGBA, width: Double = 1) {
        body.append("<line x1=\"\(num(a.x))\" y1=\"\(num(a.y))\" x2=\"\(num(b.x))\" y2=\"\(num(b.y))\""
            + paint("stroke", stroke) + " stroke-width=\"\(num(width))\"/>")
    }

    public mutating func polyline(_ points: [Point], stroke: RGBA, width: Double = 1) {
        let coords = points.map { "\(num($0.x)),\(num($0.y))" }.joined(separator: " ")
        body.append("<polyline points=\"\(coords)\" fill=\"none\"" + paint("stroke", stroke)
            + " stroke-width=\"\(num(width))\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>")
    }

    public mutating func circle(center: Point, radius: Double, fill: RGBA) {
        body.append("<circle cx=\"\(num(center.x))\" cy=\"\(num(center.y))\" r=\"\(num(radius))\"" + paint("fill", fill) + "/>")
    }

    /// `baselineOffset` moves the baseline down from `at` in the text's own frame, so it also
    /// applies correctly to rotated text.
    public mutating func text(_ text: String, at p: Point, baselineOffset: Double = 0, fontSize: Double,
                              fill: RGBA, anchor: TextAnchor = .start, rotated: Bool = false, bold: Bool = false) {
        let anchorName = switch anchor {
        case .start: "start"
        case .middle: "middle"
        case .end: "end"
        }
        var attrs = "x=\"\(num(p.x))\" y=\"\(num(p.y + baselineOffset))\" font-size=\"\(num(fontSize))\""
        if anchor != .start { attrs += " text-anchor=\"\(anchorName)\"" }
        if bold { attrs += " font-weight=\"bold\"" }
        if rotated { attrs += " transform=\"rotate(-90 \(num(p.x)) \(num(p.y)))\"" }
        body.append("<text \(attrs)" + paint("fill", fill) + ">\(escape(text))</text>")
    }

    public mutating func beginGroup(_ className: String) {
        body.append("<g class=\"\(escape(className))\">")
        openGroups += 1
    }

    public mutating func endGroup() {
        guard openGroups > 0 else { return }
        body.append("</g>")
        openGroups -= 1
    }

    /// The complete document; groups left open are closed so the output is always well formed.
    public func render() -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
                         + "viewBox=\"0 0 \(width) \(height)\" "
                         + "font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\">"]
        if let title { lines.append("<title>\(escape(title))</title>") }
        lines += body
        lines += Array(repeating: "</g>", count: openGroups)
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    private func paint(_ attribute: String, _ c: RGBA) -> String {
        var s = " \(attribute)=\"\(c.hexString)\""
        if c.a < 255 { s += " \(attribute)-opacity=\"\(num(Double(c.a) / 255))\"" }
        return s
    }

    private func num(_ v: Double) -> String { NumberFormat.short(v) }

    func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
