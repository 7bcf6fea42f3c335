import Testing
@testable import ContinuoPlot

@Suite struct PNGEncoderTests {
    let raster: Raster = {
        var r = Raster(width: 7, height: 5, background: RGBA(10, 20, 30, 255))
        r[3, 2] = RGBA(200, 100, 50, 128)
        return r
    }()

    @Test func startsWithSignatureAndIHDR() {
        let png = PNGEncoder.encode(raster)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let decoded = DecodedPNG(png)
        #expect(decoded.chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        #expect(decoded.width == 7)
        #expect(decoded.height == 5)
        #expect(Array(decoded.chunks[0].data[8...]) == [8, 6, 0, 0, 0])
    }

    @Test func everyChunkCRCMatches() {
        for chunk in DecodedPNG(PNGEncoder.encode(raster)).chunks {
            #expect(chunk.storedCRC == chunk.computedCRC, "\(chunk.type)")
        }
    }

    @Test func idatInflatesToUnfilteredScanlines() throws {
        let decoded = DecodedPNG(PNGEncoder.encode(raster))
        let rows = try #require(decoded.scanlines(expected: 5 * (1 + 4 * 7)))
        for y in 0..<5 {
            let start = y * (1 + 4 * 7)
            #expect(rows[start] == 0)
            #expect(Array(rows[(start + 1)..<(start + 29)]) == Array(raster.pixels[(y * 28)..<(y * 28 + 28)]))
        }
        #expect(Array(rows[(2 * 29 + 1 + 12)..<(2 * 29 + 1 + 16)]) == [200, 100, 50, 128])
    }

    @Test func crcMatchesKnownValue() {
        // CRC-32 of "IEND" with no data, as in every PNG.
        #expect(PNGEncoder.crc(Array("IEND".utf8)) == 0xAE42_6082)
    }
}
