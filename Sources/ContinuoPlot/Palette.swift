/// Colours shared by all plots, chosen to stay distinguishable for common colour-vision deficiencies.
public enum Palette {
    public static let background = RGBA(hex: 0xFFFFFF)
    public static let text = RGBA(hex: 0x1F2328)
    public static let mutedText = RGBA(hex: 0x57606A)
    public static let axis = RGBA(hex: 0x6E7781)
    public static let grid = RGBA(hex: 0xE6E8EB)
    public static let frame = RGBA(hex: 0xC9CED4)

    /// Line-chart series, in order (Tableau 10): distinct hues first, then repeats.
    public static let categorical: [RGBA] = [
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF,
    ].map(RGBA.init(hex:))

    public static func series(_ index: Int) -> RGBA { categorical[index % categorical.count] }

    /// Light yellow through green to dark blue (ColorBrewer YlGnBu): luminance falls steadily, so
    /// "darker means more" holds in greyscale prints too.
    public static let sequentialStops: [RGBA] = [
        0xFFFFD9, 0xEDF8B1, 0xC7E9B4, 0x7FCDBB, 0x41B6C4, 0x1D91C0, 0x225EA8, 0x253494, 0x081D58,
    ].map(RGBA.init(hex:))

    /// `t` in 0...1 mapped onto `sequentialStops`.
    public static func sequential(_ t: Double) -> RGBA {
        guard t.isFinite else { return RGBA(hex: 0xD0D4D9) }
        let t = min(max(t, 0), 1) * Double(sequentialStops.count - 1)
        let i = min(Int(t), sequentialStops.count - 2)
        return RGBA.mix(sequentialStops[i], sequentialStops[i + 1], t - Double(i))
    }

    /// Text that stays readable on `background`.
    public static func textColor(on background: RGBA) -> RGBA {
        background.luminance < 0.5 ? .white : text
    }
}
