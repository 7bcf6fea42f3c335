/// What `MIDIFileReader` returns: the file, and what it had to recover from.
public struct MIDIReadResult: Sendable {
    public var file: MIDIFile
    public var warnings: [MIDIFileWarning]
}

/// Reads Standard MIDI Files (formats 0, 1, 2; also the RIFF `RMID` wrapper).
///
/// Untrusted input never sizes an allocation: every declared length is checked against the
/// bytes that are really there first. In the default lenient mode a damaged track keeps its
/// complete events and the damage becomes a warning; `strict` turns it into an error.
public enum MIDIFileReader {
    public static func read(_ bytes: [UInt8], name: String? = nil, strict: Bool = false) throws(MIDIFileError) -> MIDIReadResult {
        try bytes.withUnsafeBufferPointer { (buffer) throws(MIDIFileError) in
            try read(buffer, name: name, strict: strict)
        }
    }

    public static func read(_ buffer: UnsafeBufferPointer<UInt8>, name: String? = nil, strict: Bool = false) throws(MIDIFileError) -> MIDIReadResult {
        do throws(MIDIFileError) {
            var parser = Parser(bytes: buffer, strict: strict)
            return try parser.parseFile()
        } catch {
            var named = error
            named.file = name
            throw named
        }
    }
}

private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    let strict: Bool
    var warnings: [MIDIFileWarning] = []

    init(bytes: UnsafeBufferPointer<UInt8>, strict: Bool) {
        self.bytes = bytes
        self.strict = strict
    }

    mutating func parseFile() throws(MIDIFileError) -> MIDIReadResult {
        guard !bytes.isEmpty else { throw MIDIFileError(offset: 0, problem: .empty) }
        var start = 0
        if let dataStart = riffMIDIDataStart() { start = dataStart }
        guard bytes.count - start >= 4, tag(at: start) == "MThd" else {
            throw MIDIFileError(offset: start, problem: .notAMIDIFile(startsWith: Array(bytes[start..<min(bytes.count, start + 4)])))
        }
        guard bytes.count - start >= 14 else { throw MIDIFileError(offset: start, problem: .truncatedHeader) }
        let headerLength = be32(start + 4)
        guard headerLength >= 6 else { throw MIDIFileError(offset: start + 4, problem: .badHeaderLength(headerLength)) }
        let formatValue = be16(start + 8)
        guard let format = MIDIFile.Format(rawValue: formatValue) else {
            throw MIDIFileError(offset: start + 8, problem: .unsupportedFormat(formatValue))
        }
        let declaredTracks = Int(be16(start + 10))
        let division = try parseDivision(at: start + 12)

        var offset = start + 8
        if Int(headerLength) > bytes.count - offset {
            throw MIDIFileError(offset: start + 4, problem: .chunkLengthBeyondFile(declared: Int(headerLength), available: bytes.count - offset))
        }
        offset += Int(headerLength)

        var tracks: [MIDITrack] = []
        tracks.reserveCapacity(min(declaredTracks, 256))
        while offset < bytes.count {
            guard bytes.count - offset >= 8 else {
                warn(offset, nil, "\(bytes.count - offset) trailing bytes after the last chunk ignored")
                break
            }
            let type = tag(at: offset)
            var length = Int(be32(offset + 4))
            let bodyStart = offset + 8
            let available = bytes.count - bodyStart
            if length > available {
                let problem = MIDIFileError.Problem.chunkLengthBeyondFile(declared: length, available: available)
                if strict { throw MIDIFileError(offset: offset + 4, track: type == "MTrk" ? tracks.count : nil, problem: problem) }
                warn(offset + 4, type == "MTrk" ? tracks.count : nil, problem.explanation + "; reading what is there")
                length = available
            }
            if type == "MTrk" {
                tracks.append(try parseTrack(from: bodyStart, to: bodyStart + length, index: tracks.count))
            } else {
                warn(offset, nil, "unknown chunk '\(type)' of \(length) bytes skipped")
            }
            offset = bodyStart + length
        }
        guard !tracks.isEmpty else { throw MIDIFileError(offset: offset, problem: .noTracks) }
        if tracks.count != declaredTracks {
            warn(start + 10, nil, "header declares \(declaredTracks) tracks, file holds \(tracks.count)")
        }
        return MIDIReadResult(file: MIDIFile(format: format, division: division, tracks: tracks), warnings: warnings)
    }

    private func parseDivision(at offset: Int) throws(MIDIFileError) -> MIDIFile.Division {
        let raw = be16(offset)
        if raw & 0x8000 == 0 {
            guard raw != 0 else { throw MIDIFileError(offset: offset, problem: .zeroTicksPerQuarter) }
            return .ticksPerQuarter(raw)
        }
        let rate = Int8(bitPattern: UInt8(raw >> 8))
        guard [-24, -25, -29, -30].contains(rate) else {
            throw MIDIFileError(offset: offset, problem: .badSMPTEFrameRate(rate))
        }
        let ticksPerFrame = UInt8(raw & 0xFF)
        guard ticksPerFrame != 0 else { throw MIDIFileError(offset: offset, problem: .zeroTicksPerQuarter) }
        return .smpte(framesPerSecond: UInt8(-Int(rate)), ticksPerFrame: ticksPerFrame)
    }

    /// The offset of the embedded SMF inside a RIFF RMID file, if this is one.
    private func riffMIDIDataStart() -> Int? {
        guard bytes.count >= 20, tag(at: 0) == "RIFF", tag(at: 8) == "RMID" else { return nil }
        var offset = 12
        while bytes.count - offset >= 8 {
            let length = Int(le32(offset + 4))
            if tag(at: offset) == "data" { return offset + 8 }
            offset += 8 + length + (length & 1)
        }
        return nil
    }

    // MARK: Track chunks

    mutating func parseTrack(from start: Int, to end: Int, index: Int) throws(MIDIFileError) -> MIDITrack {
        var events: [MIDITrack.RawEvent] = []
        var payload: [UInt8] = []
        // Rarely fewer than 3 bytes per event; reserving on that guess is bounded by the chunk's
        // real size, never by a declared count.
        events.reserveCapacity((end - start) / 3)
        var position = start
        var tick = 0
        var runningStatus: UInt8 = 0
        var statusBeforeCancellation: UInt8 = 0
        var sawEndOfTrack = false
        var damaged = false

        func fail(_ problem: MIDIFileError.Problem, at offset: Int) throws(MIDIFileError) -> Bool {
            if strict { throw MIDIFileError(offset: offset, track: index, problem: problem) }
            damaged = true
            warnings.append(MIDIFileWarning(offset: offset, track: index,
                                            message: "\(problem.explanation); kept the \(events.count) complete events before it"))
            return false
        }

        parsing: while position < end {
            let eventStart = position
            guard let delta = readVLQ(&position, end: end) else {
                let problem: MIDIFileError.Problem = position >= end ? .truncatedEvent : .variableLengthQuantityTooLong
                _ = try fail(problem, at: eventStart)
                break parsing
            }
            tick += delta
            guard position < end else { _ = try fail(.truncatedEvent, at: eventStart); break parsing }
            var status = bytes[position]
            if status < 0x80 {
                if runningStatus != 0 {
                    status = runningStatus
                } else if statusBeforeCancellation != 0, !strict {
                    warn(position, index, "running status used after a meta or sysex event (not allowed by the specification)")
                    status = statusBeforeCancellation
                    runningStatus = status
                } else {
                    _ = try fail(.dataByteWithoutStatus(status), at: position)
                    break parsing
                }
            } else {
                position += 1
            }

            switch status {
            case 0x80...0xEF:
                let channel = status & 0x0F
                let needed = Int(MIDIBytes.length(ofStatus: status)) - 1
                guard end - position >= needed else { _ = try fail(.truncatedEvent, at: eventStart); break parsing }
                let d1 = bytes[position] & 0x7F
                let d2 = needed == 2 ? bytes[position + 1] & 0x7F : 0
                position += needed
                runningStatus = status
                events.append(.init(tick: tick, status: status, data1: d1, data2: d2, payloadStart: 0, payloadLength: 0))

            case 0xF0, 0xF7:
                cancelRunningStatus(&runningStatus, &statusBeforeCancellation)
                guard let length = readVLQ(&position, end: end) else { _ = try fail(.truncatedEvent, at: eventStart); break parsing }
                guard length <= end - position else {
                    _ = try fail(.eventLengthBeyondChunk(declared: length, available: end - position), at: eventStart)
                    break parsing
                }
                events.append(.init(tick: tick, status: status, data1: 0, data2: 0,
                                    payloadStart: length == 0 ? 0 : UInt32(payload.count), payloadLength: UInt32(length)))
                payload.append(contentsOf: bytes[position..<position + length])
                position += length

            case 0xFF:
                cancelRunningStatus(&runningStatus, &statusBeforeCancellation)
                guard position < end else { _ = try fail(.truncatedEvent, at: eventStart); break parsing }
                let type = bytes[position]
                position += 1
                guard let length = readVLQ(&position, end: end) else { _ = try fail(.truncatedEvent, at: eventStart); break parsing }
                guard length <= end - position else {
                    _ = try fail(.eventLengthBeyondChunk(declared: length, available: end - position), at: eventStart)
                    break parsing
                }
                events.append(.init(tick: tick, status: 0xFF, data1: type, data2: 0,
                                    payloadStart: length == 0 ? 0 : UInt32(payload.count), payloadLength: UInt32(length)))
                payload.append(contentsOf: bytes[position..<position + length])
                position += length
                if type == 0x2F {
                    sawEndOfTrack = true
                    if position < end {
                        warn(position, index, "\(end - position) bytes after End of Track ignored")
                    }
                    break parsing
                }

            default:
                _ = try fail(.undefinedStatus(status), at: position - 1)
                break parsing
            }
        }
        if !sawEndOfTrack, !damaged {
            if strict { throw MIDIFileError(offset: end, track: index, problem: .missingEndOfTrack) }
            warn(end, index, MIDIFileError.Problem.missingEndOfTrack.explanation)
        }
        return MIDITrack(raw: events, payload: payload)
    }

    @inline(__always)
    private func cancelRunningStatus(_ running: inout UInt8, _ saved: inout UInt8) {
        if running != 0 { saved = running }
        running = 0
    }

    /// A variable-length quantity of at most 4 bytes; nil when truncated or too long.
    @inline(__always)
    private func readVLQ(_ position: inout Int, end: Int) -> Int? {
        var value = 0
        for _ in 0..<4 {
            guard position < end else { return nil }
            let byte = bytes[position]
            position += 1
            value = (value << 7) | Int(byte & 0x7F)
            if byte & 0x80 == 0 { return value }
        }
        return nil
    }

    // MARK: Bytes

    private mutating func warn(_ offset: Int, _ track: Int?, _ message: String) {
        warnings.append(MIDIFileWarning(offset: offset, track: track, message: message))
    }

    private func tag(at offset: Int) -> String {
        String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
    }

    private func be16(_ offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }

    private func be32(_ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    private func le32(_ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
