/// A picture that lays itself out for a fixed size and draws through `Canvas`, so PNG and SVG
/// output always agree.
public protocol Plot {
    var width: Int { get }
    var height: Int { get }
    func draw(on canvas: inout some Canvas)
}

extension Plot {
    public func raster() -> Raster {
        var canvas = RasterCanvas(width: width, height: height, background: Palette.background)
        draw(on: &canvas)
        return canvas.raster
    }

    public func png() -> [UInt8] { PNGEncoder.encode(raster()) }

    public func svg() -> String {
        var canvas = SVGCanvas(width: width, height: height, background: Palette.background)
        draw(on: &canvas)
        return canvas.document.render()
    }
}
