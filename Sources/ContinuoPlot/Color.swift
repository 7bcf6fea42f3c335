/// An sRGB colour with straight (not premultiplied) alpha, the form both PNG and SVG speak.
public struct RGBA: Sendable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8
    public var a: UInt8

    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8, _ a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }

    /// `0xRRGGBB`, opaque: palettes read like the hex codes designers hand over.
    public init(hex: UInt32) {
        self.init(UInt8(hex >> 16 & 0xFF), UInt8(hex >> 8 & 0xFF), UInt8(hex & 0xFF))
    }

    public static let white = RGBA(255, 255, 255)
    public static let black = RGBA(0, 0, 0)
    public static let clear = RGBA(0, 0, 0, 0)

    public func withAlpha(_ alpha: Double) -> RGBA {
        RGBA(r, g, b, UInt8((min(max(alpha, 0), 1) * 255).rounded()))
    }

    /// Straight interpolation in sRGB; good enough for tints and shades of one hue.
    public static func mix(_ from: RGBA, _ to: RGBA, _ t: Double) -> RGBA {
        let t = min(max(t, 0), 1)
        func channel(_ a: UInt8, _ b: UInt8) -> UInt8 {
            UInt8((Double(a) + (Double(b) - Double(a)) * t).rounded())
        }
        return RGBA(channel(from.r, to.r), channel(from.g, to.g), channel(from.b, to.b), channel(from.a, to.a))
    }

    /// Rec. 709 weights on gamma-encoded values: a cheap perceptual proxy for choosing text colour.
    public var luminance: Double {
        (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255
    }

    /// `#rrggbb`, the form SVG attributes take; alpha travels separately as an opacity.
    public var hexString: String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for v in [r, g, b] {
            s.append(digits[Int(v >> 4)])
            s.append(digits[Int(v & 0xF)])
        }
        return s
    }
}
