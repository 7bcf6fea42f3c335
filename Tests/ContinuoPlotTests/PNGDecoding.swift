import CZlib
@testable import ContinuoPlot

/// Just enough PNG reading to check what the encoder wrote: chunks, CRCs and the inflated scanlines.
struct DecodedPNG {
    struct Chunk {
        var type: String
        var data: [UInt8]
        var storedCRC: UInt32
        var computedCRC: UInt32
    }

    var chunks: [Chunk] = []
    var width: Int { Int(be32(chunks[0].data, 0)) }
    var height: Int { Int(be32(chunks[0].data, 4)) }

    init(_ bytes: [UInt8]) {
        var i = 8
        while i + 12 <= bytes.count {
            let length = Int(be32(bytes, i))
            let typed = Array(bytes[(i + 4)..<(i + 8 + length)])
            chunks.append(Chunk(type: String(decoding: typed[0..<4], as: UTF8.self), data: Array(typed[4...]),
                                storedCRC: be32(bytes, i + 8 + length), computedCRC: referenceCRC32(typed)))
            i += 12 + length
        }
    }

    /// The IDAT payload inflated with zlib's `uncompress`, or nil if it is not a valid zlib stream of `expected` bytes.
    func scanlines(expected: Int) -> [UInt8]? {
        let compressed = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        var out = [UInt8](repeating: 0, count: expected + 16)
        var length = uLongf(out.count)
        let status = out.withUnsafeMutableBufferPointer { dst in
            compressed.withUnsafeBufferPointer { uncompress(dst.baseAddress, &length, $0.baseAddress, uLong($0.count)) }
        }
        guard status == Z_OK, Int(length) == expected else { return nil }
        return Array(out[0..<Int(length)])
    }
}

/// CRC-32 as the PNG specification's sample code computes it, bit by bit (polynomial
/// 0xEDB88320, initial and final XOR 0xFFFFFFFF): independent of the encoder's zlib call.
func referenceCRC32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return crc ^ 0xFFFF_FFFF
}

func be32(_ b: [UInt8], _ i: Int) -> UInt32 {
    UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
}
