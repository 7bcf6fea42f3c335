/// One legend row entry: a swatch and its name.
struct LegendItem {
    enum Swatch { case box, line, none }
    var name: String
    var color: RGBA
    var swatch: Swatch
}

/// Legends sit in the header row, right-aligned, where they can never hide data.
enum Legend {
    static let swatchWidth = 16.0
    static let swatchGap = 5.0
    static let itemGap = 16.0

    static func width(of items: [LegendItem], style: TextStyle) -> Double {
        let parts = items.map { style.width(of: $0.name) + ($0.swatch == .none ? 0 : swatchWidth + swatchGap) }
        return parts.reduce(0, +) + itemGap * Double(max(items.count - 1, 0))
    }

    /// Draws `items` so the last one ends at `right`, vertically centred on `midY`.
    static func draw(_ items: [LegendItem], right: Double, midY: Double, on canvas: inout some Canvas) {
        let style = TextStyle(scale: Typography.legend, color: Palette.text, baseline: .middle)
        var x = (right - width(of: items, style: style)).rounded()
        let midY = midY.rounded()
        for item in items {
            switch item.swatch {
            case .box:
                canvas.fill(Rect(x: x, y: midY - 5, width: swatchWidth, height: 10), color: item.color)
            case .line:
                canvas.line(from: Point(x, midY), to: Point(x + swatchWidth, midY), color: item.color, width: 2.5)
            case .none:
                break
            }
            if item.swatch != .none { x += swatchWidth + swatchGap }
            var textStyle = style
            if item.swatch == .none { textStyle.color = item.color }
            canvas.text(item.name, at: Point(x, midY), style: textStyle)
            x += style.width(of: item.name) + itemGap
        }
    }
}

/// Text sizes (bitmap-font scale factors) shared by all plots so they look like one family.
public enum Typography {
    public static let title = 2
    public static let label = 1
    public static let tick = 1
    public static let legend = 1
}
