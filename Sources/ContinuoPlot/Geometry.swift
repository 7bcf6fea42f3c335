/// Canvas coordinates: x to the right, y down, one unit per output pixel; pixel (i, j) covers
/// [i, i+1) x [j, j+1), so a 1-unit line at y = j + 0.5 fills exactly row j.
public struct Point: Sendable, Hashable {
    public var x: Double
    public var y: Double

    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

public struct Rect: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var minX: Double { x }
    public var minY: Double { y }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }

    public func contains(_ p: Point) -> Bool {
        p.x >= minX && p.x < maxX && p.y >= minY && p.y < maxY
    }
}

/// Centre of the pixel containing `v`: where a 1-unit line must sit to stay crisp.
@inlinable
func crisp(_ v: Double) -> Double { v.rounded(.down) + 0.5 }
