import Testing
@testable import ContinuoPlot

@Suite struct RasterTests {
    @Test func fillRectColoursExactlyItsPixels() {
        var r = Raster(width: 20, height: 10)
        let red = RGBA(220, 30, 40)
        r.fill(Rect(x: 2, y: 3, width: 5, height: 4), color: red)
        #expect(r[2, 3] == red)
        #expect(r[6, 6] == red)
        #expect(r[7, 6] == .white)
        #expect(r[6, 7] == .white)
        #expect(r[1, 3] == .white)
        #expect(r[2, 2] == .white)
    }

    @Test func halfAlphaBlendsHalfway() {
        var r = Raster(width: 2, height: 2)
        r.fill(Rect(x: 0, y: 0, width: 2, height: 2), color: RGBA(0, 0, 0).withAlpha(0.5))
        #expect((126...129).contains(r[1, 1].r))
        #expect(r[1, 1].a == 255)
    }

    @Test func crispHorizontalLineFillsOneRow() {
        var r = Raster(width: 10, height: 10)
        r.line(from: Point(1, 4.5), to: Point(9, 4.5), color: .black, width: 1)
        #expect(r[5, 4] == .black)
        #expect(r[5, 3] == .white)
        #expect(r[5, 5] == .white)
        #expect(r[0, 4] == .white)
    }

    @Test func diagonalLineTouchesItsPath() {
        var r = Raster(width: 20, height: 20)
        r.line(from: Point(2, 2), to: Point(18, 18), color: .black, width: 2)
        #expect(r[10, 10].r < 60)
        #expect(r[15, 3] == .white)
    }

    @Test func textDrawsInsideItsBox() {
        var r = Raster(width: 60, height: 20)
        r.text("Ab1", x: 5, y: 4, scale: 1, color: .black)
        var inside = 0, outside = 0
        for y in 0..<20 {
            for x in 0..<60 where r[x, y] != .white {
                let inBox = x >= 5 && x < 5 + BitmapFont.width(of: "Ab1") && y >= 4 && y < 4 + BitmapFont.cellHeight
                if inBox { inside += 1 } else { outside += 1 }
            }
        }
        #expect(inside > 15)
        #expect(outside == 0)
    }

    @Test func everyRequiredCharacterHasAGlyph() {
        let box = BitmapFont.rows(for: "\u{FFFD}")
        let required = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,:-+/()%#"
        for c in required {
            #expect(BitmapFont.rows(for: c) != box, "\(c)")
        }
        #expect(BitmapFont.rows(for: " ").allSatisfy { $0 == 0 })
    }

    @Test func rotatedTextRunsUpwards() {
        var r = Raster(width: 20, height: 60)
        r.text("HELLO", x: 5, y: 50, color: .black, rotated: true)
        let touched = (0..<60).filter { y in (0..<20).contains { r[$0, y] != .white } }
        #expect(touched.min()! >= 50 - BitmapFont.width(of: "HELLO"))
        #expect(touched.max()! < 50)
    }
}
