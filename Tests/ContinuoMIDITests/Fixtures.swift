import ContinuoTestSupport
import Foundation
@testable import ContinuoMIDI

extension Fixtures {
    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    static func read(_ url: URL) throws -> MIDIReadResult {
        try MIDIFileReader.read(try bytes(url), name: url.lastPathComponent)
    }
}

/// Hand-built files, byte by byte.
enum SMF {
    static func header(format: UInt16, tracks: Int, division: UInt16) -> [UInt8] {
        Array("MThd".utf8) + [0, 0, 0, 6, UInt8(format >> 8), UInt8(format & 0xFF), 0, UInt8(tracks), UInt8(division >> 8), UInt8(division & 0xFF)]
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let n = body.count
        return Array(type.utf8) + [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
    }

    static func file(format: UInt16 = 1, division: UInt16 = 480, tracks: [[UInt8]]) -> [UInt8] {
        header(format: format, tracks: tracks.count, division: division) + tracks.flatMap { chunk("MTrk", $0) }
    }

    static let endOfTrack: [UInt8] = [0x00, 0xFF, 0x2F, 0x00]
}
