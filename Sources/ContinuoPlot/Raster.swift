/// An RGBA8 image, rows top to bottom, with the few drawing operations the plots need.
/// Shapes are anti-aliased by area coverage so that 2 px curves look smooth, yet rectangles and
/// lines placed on pixel boundaries (see `crisp`) stay perfectly sharp.
public struct Raster: Sendable {
    public let width: Int
    public let height: Int
    /// `width * height * 4` bytes, R G B A per pixel.
    public private(set) var pixels: [UInt8]

    public init(width: Int, height: Int, background: RGBA = .white) {
        precondition(width > 0 && height > 0, "a raster needs at least one pixel")
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 4)
        for i in stride(from: 0, to: pixels.count, by: 4) {
            pixels[i] = background.r
            pixels[i + 1] = background.g
            pixels[i + 2] = background.b
            pixels[i + 3] = background.a
        }
    }

    public subscript(x: Int, y: Int) -> RGBA {
        get {
            let i = (y * width + x) * 4
            return RGBA(pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3])
        }
        set {
            let i = (y * width + x) * 4
            pixels[i] = newValue.r
            pixels[i + 1] = newValue.g
            pixels[i + 2] = newValue.b
            pixels[i + 3] = newValue.a
        }
    }

    /// Source-over compositing of `color` covering `coverage` of pixel (x, y); off-canvas is ignored.
    public mutating func blend(x: Int, y: Int, color: RGBA, coverage: Double = 1) {
        guard x >= 0, y >= 0, x < width, y < height, coverage > 0 else { return }
        let sa = Double(color.a) / 255 * min(coverage, 1)
        if sa >= 1 {
            self[x, y] = color
            return
        }
        let i = (y * width + x) * 4
        let da = Double(pixels[i + 3]) / 255
        let oa = sa + da * (1 - sa)
        guard oa > 0 else { return }
        func mixed(_ s: UInt8, _ d: UInt8) -> UInt8 {
            UInt8(((Double(s) * sa + Double(d) * da * (1 - sa)) / oa).rounded())
        }
        pixels[i] = mixed(color.r, pixels[i])
        pixels[i + 1] = mixed(color.g, pixels[i + 1])
        pixels[i + 2] = mixed(color.b, pixels[i + 2])
        pixels[i + 3] = UInt8((oa * 255).rounded())
    }

    /// Fills `rect`; partly covered edge pixels get partial coverage.
    public mutating func fill(_ rect: Rect, color: RGBA) {
        let x0 = max(rect.minX, 0), x1 = min(rect.maxX, Double(width))
        let y0 = max(rect.minY, 0), y1 = min(rect.maxY, Double(height))
        guard x1 > x0, y1 > y0 else { return }
        for py in Int(y0.rounded(.down))..<Int(y1.rounded(.up)) {
            let fy = min(y1, Double(py + 1)) - max(y0, Double(py))
            for px in Int(x0.rounded(.down))..<Int(x1.rounded(.up)) {
                let fx = min(x1, Double(px + 1)) - max(x0, Double(px))
                blend(x: px, y: py, color: color, coverage: fx * fy)
            }
        }
    }

    /// A segment `width` units wide. Axis-aligned segments get square ends (grid lines must not
    /// poke past the frame); others get round ends so polylines join without notches.
    public mutating func line(from p0: Point, to p1: Point, color: RGBA, width w: Double = 1) {
        guard drawable(p0), drawable(p1), w.isFinite else { return }
        let r = max(w, 0.25) / 2
        if p0.x == p1.x {
            fill(Rect(x: p0.x - r, y: min(p0.y, p1.y), width: 2 * r, height: abs(p1.y - p0.y)), color: color)
            return
        }
        if p0.y == p1.y {
            fill(Rect(x: min(p0.x, p1.x), y: p0.y - r, width: abs(p1.x - p0.x), height: 2 * r), color: color)
            return
        }
        let dx = p1.x - p0.x, dy = p1.y - p0.y
        let len2 = dx * dx + dy * dy
        func distance(_ cx: Double, _ cy: Double) -> Double {
            let t = min(max(((cx - p0.x) * dx + (cy - p0.y) * dy) / len2, 0), 1)
            let ex = p0.x + t * dx - cx, ey = p0.y + t * dy - cy
            return (ex * ex + ey * ey).squareRoot()
        }
        // Walk the major axis; across it only a band about the width of the line can be touched.
        let steep = abs(dy) > abs(dx)
        let (a0, a1) = steep ? (min(p0.y, p1.y), max(p0.y, p1.y)) : (min(p0.x, p1.x), max(p0.x, p1.x))
        let limit = steep ? height : self.width
        let band = (r + 1.5) * 1.5
        let lo = max(Int((a0 - r - 1).rounded(.down)), 0), hi = min(Int((a1 + r + 1).rounded(.up)), limit - 1)
        guard lo <= hi else { return }
        for major in lo...hi {
            let c = Double(major) + 0.5
            let clamped = min(max(c, a0), a1)
            let minor = steep ? p0.x + (clamped - p0.y) * dx / dy : p0.y + (clamped - p0.x) * dy / dx
            for m in Int((minor - band).rounded(.down))...Int((minor + band).rounded(.up)) {
                let (px, py) = steep ? (m, major) : (major, m)
                let d = distance(Double(px) + 0.5, Double(py) + 0.5)
                let coverage = min(max(r + 0.5 - d, 0), 1)
                if coverage > 0 { blend(x: px, y: py, color: color, coverage: coverage) }
            }
        }
    }

    public mutating func disk(center: Point, radius: Double, color: RGBA) {
        guard drawable(center), radius.isFinite, radius < 1e4 else { return }
        let x0 = Int((center.x - radius - 1).rounded(.down)), x1 = Int((center.x + radius + 1).rounded(.up))
        let y0 = Int((center.y - radius - 1).rounded(.down)), y1 = Int((center.y + radius + 1).rounded(.up))
        for py in y0...y1 {
            for px in x0...x1 {
                let ex = Double(px) + 0.5 - center.x, ey = Double(py) + 0.5 - center.y
                let coverage = min(max(radius + 0.5 - (ex * ex + ey * ey).squareRoot(), 0), 1)
                if coverage > 0 { blend(x: px, y: py, color: color, coverage: coverage) }
            }
        }
    }

    /// Far-off or non-finite coordinates would trap when converted to Int; nothing there is visible anyway.
    private func drawable(_ p: Point) -> Bool {
        abs(p.x) < 1e7 && abs(p.y) < 1e7
    }

    /// Draws `text` with its cap box's top-left corner at (x, y). With `rotated`, the text reads
    /// bottom to top and (x, y) is the bottom-left corner of the rotated cap box, i.e. the glyph
    /// tops face left; that is how y-axis titles are set.
    public mutating func text(_ text: String, x: Int, y: Int, scale: Int = 1, color: RGBA, rotated: Bool = false,
                              bold: Bool = false) {
        let scale = max(scale, 1)
        var penX = 0
        for c in text {
            let bitmap = BitmapFont.bitmap(for: c, scale: scale)
            for (gy, row) in bitmap.enumerated() {
                for (gx, on) in row.enumerated() where on {
                    let lx = penX + gx
                    for extra in 0...(bold ? 1 : 0) {
                        if rotated {
                            blend(x: x + gy, y: y - 1 - lx - extra, color: color)
                        } else {
                            blend(x: x + lx + extra, y: y + gy, color: color)
                        }
                    }
                }
            }
            penX += BitmapFont.advance * scale
        }
    }
}
