/// Why a file could not be read. Carries where: the file (when the caller named it), the byte
/// offset from the start of the file, and the track index for problems inside a track.
public struct MIDIFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        case empty
        case notAMIDIFile(startsWith: [UInt8])
        case truncatedHeader
        case badHeaderLength(UInt32)
        case unsupportedFormat(UInt16)
        case zeroTicksPerQuarter
        case badSMPTEFrameRate(Int8)
        case noTracks
        case truncatedEvent
        case variableLengthQuantityTooLong
        case dataByteWithoutStatus(UInt8)
        case undefinedStatus(UInt8)
        case eventLengthBeyondChunk(declared: Int, available: Int)
        case chunkLengthBeyondFile(declared: Int, available: Int)
        case missingEndOfTrack
    }

    public var file: String?
    public var offset: Int
    public var track: Int?
    public var problem: Problem

    public init(file: String? = nil, offset: Int, track: Int? = nil, problem: Problem) {
        self.file = file
        self.offset = offset
        self.track = track
        self.problem = problem
    }

    public var description: String {
        var place = file.map { "\($0): " } ?? ""
        place += "byte \(offset)"
        if let track { place += " (track \(track))" }
        return "\(place): \(problem.explanation)"
    }
}

extension MIDIFileError.Problem {
    public var explanation: String {
        switch self {
        case .empty: return "the file is empty"
        case let .notAMIDIFile(bytes):
            let shown = bytes.prefix(4).map { b in (0x20...0x7e).contains(b) ? String(UnicodeScalar(b)) : "." }.joined()
            return "not a Standard MIDI File (expected 'MThd', found '\(shown)')"
        case .truncatedHeader: return "the file ends inside the MThd header"
        case let .badHeaderLength(n): return "the MThd header length is \(n), at least 6 is required"
        case let .unsupportedFormat(f): return "MIDI format \(f) is not 0, 1 or 2"
        case .zeroTicksPerQuarter: return "the division is 0 ticks per quarter note"
        case let .badSMPTEFrameRate(r): return "SMPTE division with \(-Int(r)) frames per second (24, 25, 29 or 30 expected)"
        case .noTracks: return "no MTrk track chunk"
        case .truncatedEvent: return "the track ends in the middle of an event"
        case .variableLengthQuantityTooLong: return "a variable-length number runs over 4 bytes"
        case let .dataByteWithoutStatus(b): return "data byte 0x\(hex(b)) with no running status to apply"
        case let .undefinedStatus(b): return "status byte 0x\(hex(b)) is not allowed in a MIDI file"
        case let .eventLengthBeyondChunk(d, a): return "an event declares \(d) bytes but only \(a) remain in the track"
        case let .chunkLengthBeyondFile(d, a): return "a chunk declares \(d) bytes but only \(a) remain in the file"
        case .missingEndOfTrack: return "the track has no End of Track event"
        }
    }
}

/// Something the reader recovered from. The file was read; these say what may be missing.
public struct MIDIFileWarning: Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var track: Int?
    public var message: String

    public var description: String {
        "byte \(offset)\(track.map { " (track \($0))" } ?? ""): \(message)"
    }
}

@inline(__always) func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
}
