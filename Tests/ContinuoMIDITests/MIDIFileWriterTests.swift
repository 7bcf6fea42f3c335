import ContinuoTestSupport
import Foundation
import Testing
@testable import ContinuoMIDI

@Suite struct MIDIFileWriterTests {
    static let sampleFiles = Fixtures.midiFiles(under: Fixtures.sample)

    @Test(arguments: sampleFiles)
    func ourReaderReadsBackWhatWeWrote(url: URL) throws {
        let original = try Fixtures.read(url).file
        let written = MIDIFileWriter.write(original)
        let reread = try MIDIFileReader.read(written, strict: true)
        #expect(reread.warnings.isEmpty)
        #expect(reread.file == normalised(original))
        #expect(MIDIFileWriter.write(reread.file) == written)
        #expect(NoteExtractor().performance(of: reread.file) == NoteExtractor().performance(of: original))
    }

    @Test func writesEveryEventKind() throws {
        let events: [MIDIMessage] = [
            .meta(.sequenceNumber(3)), .meta(.text(.copyright, Array("(c)".utf8))), .meta(.tempo(microsecondsPerQuarter: 600_000)),
            .meta(.timeSignature(numerator: 3, denominatorPower: 2, clocksPerClick: 24, thirtySecondsPerQuarter: 8)),
            .meta(.keySignature(sharps: 2, minor: false)), .meta(.smpteOffset(hours: 1, minutes: 2, seconds: 3, frames: 4, hundredths: 5)),
            .meta(.channelPrefix(1)), .meta(.port(0)), .meta(.sequencerSpecific([1, 2])), .meta(.unknown(type: 0x70, data: [7])),
            .sysex([0x7E, 0x7F, 0x09, 0x01, 0xF7]), .sysexEscape([0xF3, 0x01]),
            .programChange(channel: 2, program: 5), .controlChange(channel: 2, controller: 7, value: 100),
            .noteOn(channel: 2, note: 60, velocity: 90), .polyphonicPressure(channel: 2, note: 60, pressure: 10),
            .channelPressure(channel: 2, pressure: 20), .pitchBend(channel: 2, value: 0), .noteOff(channel: 2, note: 60, velocity: 30),
            .noteOn(channel: 2, note: 62, velocity: 0),
        ]
        let track = MIDITrack(events: events.enumerated().map { MIDIEvent(tick: $0.offset * 10, $0.element) } + [MIDIEvent(tick: 400, .meta(.endOfTrack))])
        for division in [MIDIFile.Division.ticksPerQuarter(96), .smpte(framesPerSecond: 29, ticksPerFrame: 80)] {
            let file = MIDIFile(format: .simultaneousTracks, division: division, tracks: [track, MIDITrack()])
            let reread = try MIDIFileReader.read(MIDIFileWriter.write(file), strict: true).file
            #expect(reread == normalised(file))
        }
    }

    @Test func variableLengthQuantities() {
        for (value, bytes) in [(0, [0x00]), (0x7F, [0x7F]), (0x80, [0x81, 0x00]), (0x3FFF, [0xFF, 0x7F]),
                               (0x4000, [0x81, 0x80, 0x00]), (0x0FFF_FFFF, [0xFF, 0xFF, 0xFF, 0x7F])] {
            var out: [UInt8] = []
            MIDIFileWriter.appendVLQ(value, to: &out)
            #expect(out == bytes.map(UInt8.init))
        }
    }

    /// Python's mido, an independent reader, sees in our output exactly the events we wrote.
    @Test(.enabled(if: ExternalTools.hasMido, "python3 with mido is not installed (pip install mido)"))
    func midoReadsWhatWeWrote() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-mido-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var expected: [String: [String]] = [:]
        for (i, url) in Self.sampleFiles.enumerated() {
            let file = try Fixtures.read(url).file
            let name = "f\(i).mid"
            try Data(MIDIFileWriter.write(file)).write(to: directory.appendingPathComponent(name))
            expected[name] = file.tracks.enumerated().flatMap { t, track in track.events.compactMap { ExternalTools.describe($0, track: t) } }
        }
        let script = """
        import json, mido, os, sys
        out = {}
        d = sys.argv[1]
        for name in sorted(os.listdir(d)):
            lines = []
            for t, track in enumerate(mido.MidiFile(os.path.join(d, name)).tracks):
                tick = 0
                for m in track:
                    tick += m.time
                    if m.type == 'note_on': lines.append(f"{t} {tick} on {m.channel} {m.note} {m.velocity}")
                    elif m.type == 'note_off': lines.append(f"{t} {tick} off {m.channel} {m.note} {m.velocity}")
                    elif m.type == 'control_change': lines.append(f"{t} {tick} cc {m.channel} {m.control} {m.value}")
                    elif m.type == 'program_change': lines.append(f"{t} {tick} pc {m.channel} {m.program}")
                    elif m.type == 'pitchwheel': lines.append(f"{t} {tick} bend {m.channel} {m.pitch + 8192}")
                    elif m.type == 'aftertouch': lines.append(f"{t} {tick} chpress {m.channel} {m.value}")
                    elif m.type == 'polytouch': lines.append(f"{t} {tick} polypress {m.channel} {m.note} {m.value}")
                    elif m.type == 'set_tempo': lines.append(f"{t} {tick} tempo {m.tempo}")
                    elif m.type == 'time_signature': lines.append(f"{t} {tick} timesig {m.numerator} {m.denominator}")
                    elif m.type == 'end_of_track': lines.append(f"{t} {tick} end")
            out[name] = lines
        print(json.dumps(out))
        """
        let output = try ExternalTools.run("/usr/bin/env", ["python3", "-c", script, directory.path])
        let mido = try JSONDecoder().decode([String: [String]].self, from: Data(output.utf8))
        #expect(mido.count == expected.count)
        for (name, lines) in expected {
            #expect(mido[name] == lines, "mido disagrees on \(name)")
        }
    }

    /// FluidSynth renders our rewrite of a file to the very same samples as the original.
    @Test(.enabled(if: ExternalTools.hasFluidSynth, "fluidsynth or the FluidR3_GM SoundFont is not installed"))
    func fluidSynthRendersOurRewriteIdentically() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-fs-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // (FluidSynth's reader stops at an unknown chunk, so odd/unknown_chunk_type.mid cannot be compared.)
        let picks = ["odd/noteoff_styles_overlaps_controllers.mid", "odd/type2_independent_patterns.mid", "bach-chorales/bwv10.7.mid", "folk-oneills-1850"]
        let files = picks.compactMap { pick in Self.sampleFiles.first { $0.path.contains(pick) } }
        #expect(files.count == 4)
        for url in files {
            let rewritten = directory.appendingPathComponent("rewritten.mid")
            try Data(MIDIFileWriter.write(try Fixtures.read(url).file)).write(to: rewritten)
            let a = directory.appendingPathComponent("a.wav"), b = directory.appendingPathComponent("b.wav")
            _ = try ExternalTools.run("/usr/bin/env", ["fluidsynth", "-ni", "-q", "-F", a.path, "-r", "22050", ExternalTools.soundFont, url.path])
            _ = try ExternalTools.run("/usr/bin/env", ["fluidsynth", "-ni", "-q", "-F", b.path, "-r", "22050", ExternalTools.soundFont, rewritten.path])
            let original = try Data(contentsOf: a), ours = try Data(contentsOf: b)
            #expect(original.count > 1000)
            #expect(original == ours, "FluidSynth renders \(url.lastPathComponent) differently after our rewrite")
        }
    }

    /// What the writer changes by design: End of Track only last, at the track's end.
    func normalised(_ file: MIDIFile) -> MIDIFile {
        var copy = file
        for t in copy.tracks.indices {
            let end = copy.tracks[t].events.map(\.tick).max() ?? 0
            copy.tracks[t].events.removeAll { $0.message == .meta(.endOfTrack) }
            copy.tracks[t].events.append(MIDIEvent(tick: end, .meta(.endOfTrack)))
        }
        return copy
    }
}

enum ExternalTools {
    static let soundFont = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

    static let hasMido: Bool = (try? run("/usr/bin/env", ["python3", "-c", "import mido"])) != nil
    static let hasFluidSynth: Bool = FileManager.default.fileExists(atPath: soundFont)
        && (try? run("/usr/bin/env", ["fluidsynth", "--version"])) != nil

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let run = try ChildProcess.run(executable, arguments, timeout: 300)
        guard run.status == .exited(0) else {
            throw Failed(description: "\(arguments.prefix(2)) ended with \(run.status)\(run.timedOut ? " after 300 s" : ""): \(run.errors)")
        }
        return run.output
    }

    /// The same line format the mido script prints, for the events both sides understand.
    static func describe(_ event: MIDIEvent, track t: Int) -> String? {
        let tick = event.tick
        switch event.message {
        case let .noteOn(c, n, v): return "\(t) \(tick) on \(c) \(n) \(v)"
        case let .noteOff(c, n, v): return "\(t) \(tick) off \(c) \(n) \(v)"
        case let .controlChange(c, k, v): return "\(t) \(tick) cc \(c) \(k) \(v)"
        case let .programChange(c, p): return "\(t) \(tick) pc \(c) \(p)"
        case let .pitchBend(c, v): return "\(t) \(tick) bend \(c) \(v)"
        case let .channelPressure(c, p): return "\(t) \(tick) chpress \(c) \(p)"
        case let .polyphonicPressure(c, n, p): return "\(t) \(tick) polypress \(c) \(n) \(p)"
        case let .meta(.tempo(us)): return "\(t) \(tick) tempo \(us)"
        case let .meta(.timeSignature(n, d, _, _)): return "\(t) \(tick) timesig \(n) \(1 << d)"
        case .meta(.endOfTrack): return "\(t) \(tick) end"
        default: return nil
        }
    }
}
