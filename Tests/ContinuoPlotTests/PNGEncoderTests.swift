import ContinuoTestSupport
import Foundation
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

    /// Python's own PNG reading (struct, binascii.crc32, zlib.decompress, which also checks the
    /// stream's Adler-32) checks every chunk's CRC and the pixels, knowing nothing of our code.
    static let independentReader = """
        import binascii, json, struct, sys, zlib
        data = open(sys.argv[1], "rb").read()
        assert data[:8] == b"\\x89PNG\\r\\n\\x1a\\n", "signature"
        i, chunks, idat, header = 8, [], b"", None
        while i < len(data):
            (n,) = struct.unpack(">I", data[i:i + 4])
            kind, body = data[i + 4:i + 8], data[i + 8:i + 8 + n]
            (stored,) = struct.unpack(">I", data[i + 8 + n:i + 12 + n])
            chunks.append({"type": kind.decode(), "crc_ok": binascii.crc32(kind + body) & 0xFFFFFFFF == stored})
            if kind == b"IHDR": header = list(struct.unpack(">IIBBBBB", body))
            if kind == b"IDAT": idat += body
            i += 12 + n
        print(json.dumps({"chunks": chunks, "header": header, "scanlines": zlib.decompress(idat).hex()}))
        """

    static let hasPython = (try? ChildProcess.run("/usr/bin/env", ["python3", "-c", "import zlib, binascii"]).status) == .exited(0)

    @Test(.enabled(if: hasPython, "python3 is not installed"))
    func anIndependentDecoderAcceptsCRCsAndStream() throws {
        let folder = try TemporaryFolder(prefix: "continuo-png-test")
        let path = folder.path("raster.png")
        try Data(PNGEncoder.encode(raster)).write(to: URL(fileURLWithPath: path))
        let run = try ChildProcess.run("/usr/bin/env", ["python3", "-c", Self.independentReader, path], timeout: 60)
        try #require(run.status == .exited(0), "\(run.errors)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        let chunks = report["chunks"] as? [[String: Any]] ?? []
        #expect(chunks.compactMap { $0["type"] as? String } == ["IHDR", "IDAT", "IEND"])
        for chunk in chunks { #expect(chunk["crc_ok"] as? Bool == true, "\(chunk)") }
        // 7 x 5, 8-bit RGBA, deflate, adaptive filtering, no interlace.
        #expect(report["header"] as? [Int] == [7, 5, 8, 6, 0, 0, 0])
        // Every row: filter byte 0, then the raster's RGBA bytes as they are.
        var expected: [UInt8] = []
        for y in 0..<5 { expected += [0] + raster.pixels[(y * 28)..<(y * 28 + 28)] }
        #expect(report["scanlines"] as? String == expected.map { String(format: "%02x", $0) }.joined())
    }

    @Test func crcMatchesKnownValue() {
        // CRC-32 of "IEND" with no data, as in every PNG.
        #expect(PNGEncoder.crc(Array("IEND".utf8)) == 0xAE42_6082)
    }
}
