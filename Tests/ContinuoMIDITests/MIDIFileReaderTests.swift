import Testing
@testable import ContinuoMIDI

@Suite struct MIDIFileReaderTests {
    @Test func runningStatusCarriesChannelMessages() throws {
        // note-on C4, then two more note-ons with running status, one as velocity-0 note-off.
        let track: [UInt8] = [0x00, 0x90, 60, 100, 0x10, 64, 90, 0x10, 60, 0] + SMF.endOfTrack
        let file = try MIDIFileReader.read(SMF.file(tracks: [track])).file
        #expect(file.tracks[0].events.map(\.message) == [
            .noteOn(channel: 0, note: 60, velocity: 100),
            .noteOn(channel: 0, note: 64, velocity: 90),
            .noteOn(channel: 0, note: 60, velocity: 0),
            .meta(.endOfTrack),
        ])
        #expect(file.tracks[0].events.map(\.tick) == [0, 16, 32, 32])
    }

    @Test func metaAndSysexCancelRunningStatus() throws {
        let track: [UInt8] = [0x00, 0x90, 60, 100, 0x00, 0xFF, 0x01, 0x01, 0x41, 0x00, 62, 100] + SMF.endOfTrack
        let bytes = SMF.file(tracks: [track])
        #expect(throws: MIDIFileError.self) { try MIDIFileReader.read(bytes, strict: true) }
        do {
            _ = try MIDIFileReader.read(bytes, name: "x.mid", strict: true)
        } catch {
            #expect(error.problem == .dataByteWithoutStatus(62))
            #expect(error.offset == 14 + 8 + 10)
            #expect(error.track == 0)
            #expect(error.description.hasPrefix("x.mid: byte 32 (track 0)"))
        }
        // Lenient: many real files do this; the earlier status is reused and the reader says so.
        let lenient = try MIDIFileReader.read(bytes)
        #expect(lenient.file.tracks[0].events[2].message == .noteOn(channel: 0, note: 62, velocity: 100))
        #expect(lenient.warnings.contains { $0.message.contains("running status") })
    }

    @Test func everyChannelMessageKind() throws {
        let track: [UInt8] = [
            0x00, 0x83, 60, 64, 0x00, 0x94, 61, 100, 0x00, 0xA5, 62, 33, 0x00, 0xB6, 64, 127,
            0x00, 0xC7, 42, 0x00, 0xD8, 99, 0x00, 0xE9, 0x00, 0x40, 0x00, 0xEA, 0x7F, 0x7F,
        ] + SMF.endOfTrack
        let messages = try MIDIFileReader.read(SMF.file(tracks: [track])).file.tracks[0].events.map(\.message)
        #expect(messages == [
            .noteOff(channel: 3, note: 60, velocity: 64), .noteOn(channel: 4, note: 61, velocity: 100),
            .polyphonicPressure(channel: 5, note: 62, pressure: 33), .controlChange(channel: 6, controller: 64, value: 127),
            .programChange(channel: 7, program: 42), .channelPressure(channel: 8, pressure: 99),
            .pitchBend(channel: 9, value: 8192), .pitchBend(channel: 10, value: 16383), .meta(.endOfTrack),
        ])
    }

    @Test func sysexPacketsAndEscapes() throws {
        let track: [UInt8] = [0x00, 0xF0, 0x03, 0x43, 0x12, 0x00, 0x10, 0xF7, 0x02, 0x07, 0xF7, 0x00, 0xF7, 0x01, 0xF8] + SMF.endOfTrack
        let messages = try MIDIFileReader.read(SMF.file(tracks: [track])).file.tracks[0].events.map(\.message)
        #expect(messages == [.sysex([0x43, 0x12, 0x00]), .sysexEscape([0x07, 0xF7]), .sysexEscape([0xF8]), .meta(.endOfTrack)])
    }

    @Test func everyMetaEvent() throws {
        var track: [UInt8] = [0x00, 0xFF, 0x00, 0x02, 0x00, 0x07, 0x00, 0xFF, 0x00, 0x00]
        for kind in MetaEvent.TextKind.allCases { track += [0x00, 0xFF, kind.rawValue, 0x02, 0x68, 0x69] }
        track += [0x00, 0xFF, 0x20, 0x01, 0x05, 0x00, 0xFF, 0x21, 0x01, 0x02]
        track += [0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20, 0x00, 0xFF, 0x54, 0x05, 0x60, 0x01, 0x02, 0x03, 0x04]
        track += [0x00, 0xFF, 0x58, 0x04, 0x06, 0x03, 0x18, 0x08, 0x00, 0xFF, 0x59, 0x02, 0xFD, 0x01]
        track += [0x00, 0xFF, 0x7F, 0x03, 0x00, 0x00, 0x41, 0x00, 0xFF, 0x60, 0x01, 0x09, 0x00, 0xFF, 0x51, 0x02, 0x01, 0x02]
        track += SMF.endOfTrack
        let metas = try MIDIFileReader.read(SMF.file(tracks: [track])).file.tracks[0].events.compactMap { event -> MetaEvent? in
            if case let .meta(m) = event.message { return m } else { return nil }
        }
        var expected: [MetaEvent] = [.sequenceNumber(7), .sequenceNumber(nil)]
        expected += MetaEvent.TextKind.allCases.map { .text($0, [0x68, 0x69]) }
        expected += [.channelPrefix(5), .port(2), .tempo(microsecondsPerQuarter: 500_000),
                     .smpteOffset(hours: 0x60, minutes: 1, seconds: 2, frames: 3, hundredths: 4),
                     .timeSignature(numerator: 6, denominatorPower: 3, clocksPerClick: 24, thirtySecondsPerQuarter: 8),
                     .keySignature(sharps: -3, minor: true), .sequencerSpecific([0, 0, 0x41]),
                     .unknown(type: 0x60, data: [9]), .unknown(type: 0x51, data: [1, 2]), .endOfTrack]
        #expect(metas == expected)
    }

    @Test func unknownChunksAreSkipped() throws {
        let note: [UInt8] = [0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0] + SMF.endOfTrack
        let bytes = SMF.header(format: 1, tracks: 1, division: 96) + SMF.chunk("XYZW", [1, 2, 3, 4, 5]) + SMF.chunk("MTrk", note)
        let read = try MIDIFileReader.read(bytes)
        #expect(read.file.tracks.count == 1)
        #expect(read.file.tracks[0].events.count == 3)
    }

    @Test func emptyAndZeroLengthTracks() throws {
        let read = try MIDIFileReader.read(SMF.file(tracks: [SMF.endOfTrack, []]))
        #expect(read.file.tracks.count == 2)
        #expect(read.file.tracks[1].events.isEmpty)
        #expect(NoteExtractor().performance(of: read.file).notes.isEmpty)
    }

    @Test func smpteDivisionCountsRealTime() throws {
        // -25 fps x 40 ticks per frame = 1000 ticks per second, whatever the tempo says.
        let track: [UInt8] = [0x00, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40, 0x00, 0x90, 60, 100, 0x87, 0x68, 0x80, 60, 0] + SMF.endOfTrack
        let division = UInt16(bitPattern: Int16(Int8(-25)) << 8 | 40)
        let file = try MIDIFileReader.read(SMF.file(format: 0, division: division, tracks: [track])).file
        #expect(file.division == .smpte(framesPerSecond: 25, ticksPerFrame: 40))
        let note = try #require(NoteExtractor().performance(of: file).notes.first)
        #expect(note.durationSeconds == 1.0)
        #expect(abs(note.durationBeats - 1.0) < 1e-12) // tempo 60 bpm: one beat per second
    }

    static let brokenHeaders: [([UInt8], MIDIFileError.Problem)] = [
        ([], .empty),
        (Array("RIFF0000WAVE".utf8), .notAMIDIFile(startsWith: Array("RIFF".utf8))),
        (Array("MThd".utf8) + [0, 0, 0, 6, 0, 1], .truncatedHeader),
        (Array("MThd".utf8) + [0, 0, 0, 2, 0, 1, 0, 1, 0, 96], .badHeaderLength(2)),
        (Array("MThd".utf8) + [0, 0, 0, 6, 0, 3, 0, 1, 0, 96], .unsupportedFormat(3)),
        (Array("MThd".utf8) + [0, 0, 0, 6, 0, 1, 0, 1, 0, 0], .zeroTicksPerQuarter),
        (SMF.header(format: 1, tracks: 0, division: 96), .noTracks),
    ]

    @Test(arguments: brokenHeaders)
    func brokenHeadersThrowTypedErrors(bytes: [UInt8], problem: MIDIFileError.Problem) {
        do {
            _ = try MIDIFileReader.read(bytes, name: "broken.mid")
            Issue.record("expected \(problem)")
        } catch {
            #expect(error.problem == problem)
            #expect(error.file == "broken.mid")
            #expect(error.description.contains("broken.mid"))
        }
    }

    @Test func absurdLengthsNeverSizeAnAllocation() throws {
        // A meta event that claims 2^28-1 bytes in a 20-byte track.
        let track: [UInt8] = [0x00, 0x90, 60, 100, 0x00, 0xFF, 0x01, 0xFF, 0xFF, 0xFF, 0x7F, 0x41] + SMF.endOfTrack
        let bytes = SMF.file(tracks: [track])
        #expect(throws: MIDIFileError.self) { try MIDIFileReader.read(bytes, strict: true) }
        let read = try MIDIFileReader.read(bytes)
        #expect(read.file.tracks[0].events.map(\.message) == [.noteOn(channel: 0, note: 60, velocity: 100)])
        #expect(read.warnings.first?.message.contains("declares 268435455 bytes") == true)
    }

    @Test func truncatedTrackKeepsItsCompleteEvents() throws {
        let track: [UInt8] = [0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x00, 0x90, 62, 100, 0x60, 0x80, 62] + SMF.endOfTrack
        var bytes = SMF.file(tracks: [track])
        bytes.removeLast(SMF.endOfTrack.count + 1) // cut inside the last note-off; chunk length now lies
        let read = try MIDIFileReader.read(bytes, name: "cut.mid")
        #expect(read.file.tracks[0].events.count == 3)
        #expect(read.warnings.count >= 2) // chunk length beyond the file, and the cut event
        #expect(throws: MIDIFileError.self) { try MIDIFileReader.read(bytes, strict: true) }
        let notes = NoteExtractor().performance(of: read.file).notes
        #expect(notes.map(\.pitch) == [60, 62]) // the open note ends where the track ends
    }

    @Test func undefinedStatusBytesAreErrors() throws {
        let track: [UInt8] = [0x00, 0x90, 60, 100, 0x00, 0xF4, 0x00] + SMF.endOfTrack
        do {
            _ = try MIDIFileReader.read(SMF.file(tracks: [track]), strict: true)
            Issue.record("expected an error")
        } catch {
            #expect(error.problem == .undefinedStatus(0xF4))
        }
    }

    @Test func riffWrappedFilesAreRead() throws {
        let smf = SMF.file(format: 0, tracks: [[0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0] + SMF.endOfTrack])
        let n = smf.count + 12
        var riff = Array("RIFF".utf8) + [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), 0, 0] + Array("RMID".utf8)
        riff += Array("data".utf8) + [UInt8(smf.count & 0xFF), UInt8(smf.count >> 8 & 0xFF), 0, 0] + smf
        #expect(try MIDIFileReader.read(riff).file.tracks[0].events.count == 3)
    }

    @Test func trackNamesReadAsUTF8ElseLatin1() throws {
        let latin1: [UInt8] = [0x00, 0xFF, 0x03, 0x06, 0x43, 0x6F, 0x70, 0x79, 0x20, 0xA9] + SMF.endOfTrack
        let utf8: [UInt8] = [0x00, 0xFF, 0x03, 0x03, 0x43, 0xC3, 0xA9] + SMF.endOfTrack
        let file = try MIDIFileReader.read(SMF.file(tracks: [latin1, utf8])).file
        #expect(file.tracks.map(\.name) == ["Copy ©", "Cé"])
    }
}
