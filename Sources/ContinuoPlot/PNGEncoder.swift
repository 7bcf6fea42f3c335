import CZlib

/// Truecolour-with-alpha PNG, 8 bits per channel. Every row uses filter 0 (none): the plots are
/// mostly flat colour, which deflate already squeezes well, and unfiltered rows keep the
/// encoder trivially verifiable.
public enum PNGEncoder {
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public static func encode(_ raster: Raster, compressionLevel: Int32 = 6) -> [UInt8] {
        var header: [UInt8] = []
        appendBigEndian(UInt32(raster.width), to: &header)
        appendBigEndian(UInt32(raster.height), to: &header)
        header += [8, 6, 0, 0, 0]  // depth 8, RGBA, deflate, adaptive filtering, no interlace

        let stride = raster.width * 4
        var scanlines = [UInt8](repeating: 0, count: raster.height * (stride + 1))
        raster.pixels.withUnsafeBufferPointer { src in
            scanlines.withUnsafeMutableBufferPointer { dst in
                for y in 0..<raster.height {
                    let to = dst.baseAddress! + y * (stride + 1) + 1
                    to.update(from: src.baseAddress! + y * stride, count: stride)
                }
            }
        }

        var png = signature
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", deflate(scanlines, level: compressionLevel), to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    /// A zlib stream (header, deflate data, Adler-32), as IDAT requires.
    static func deflate(_ bytes: [UInt8], level: Int32) -> [UInt8] {
        var capacity = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(capacity))
        let status = out.withUnsafeMutableBufferPointer { dst in
            bytes.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &capacity, src.baseAddress, uLong(src.count), level)
            }
        }
        // compressBound guarantees room, and the only other failure is memory: nothing to recover.
        precondition(status == Z_OK, "zlib compress2 failed with \(status)")
        out.removeSubrange(Int(capacity)...)
        return out
    }

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        UInt32(bytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) })
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        let typed = Array(type.utf8) + data
        appendBigEndian(UInt32(data.count), to: &png)
        png += typed
        appendBigEndian(crc(typed), to: &png)
    }

    private static func appendBigEndian(_ v: UInt32, to bytes: inout [UInt8]) {
        bytes += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
}
