import ContinuoMIDI
import Foundation

/// `continuo render`: MIDI to WAV through FluidSynth, at a level people can hear.
public enum AudioRenderer {
    public static let soundFontCandidates = [
        "/usr/share/sounds/sf2/FluidR3_GM.sf2",
        "/usr/share/sounds/sf2/default-GM.sf2",
        "/usr/share/soundfonts/FluidR3_GM.sf2",
        "/usr/share/soundfonts/default.sf2",
    ]

    public enum RenderError: Error, CustomStringConvertible {
        case fluidSynthMissing
        case soundFontMissing(String?)
        case failed(String)

        public var description: String {
            switch self {
            case .fluidSynthMissing:
                return "FluidSynth is not installed: `sudo apt-get install fluidsynth fluid-soundfont-gm` (or run scripts/install-deps)"
            case let .soundFontMissing(path?):
                return "SoundFont \(path) does not exist"
            case .soundFontMissing(nil):
                return "no General MIDI SoundFont found (looked in \(soundFontCandidates.joined(separator: ", "))): `sudo apt-get install fluid-soundfont-gm` or pass --soundfont FILE.sf2"
            case let .failed(message):
                return "FluidSynth failed: \(message)"
            }
        }
    }

    public struct Level: Sendable {
        public var peakDBFS: Double
        public var rmsDBFS: Double
        public var seconds: Double
    }

    public static func fluidSynthPath() -> String? {
        ExecutableSearch.onPath("fluidsynth")
    }

    /// Renders `midi` to a 16-bit WAV at `output`. FluidSynth's default gain (0.2) is quiet for
    /// one piano; 0.8 puts typical pieces around -20 dBFS RMS without clipping chords.
    @discardableResult
    public static func render(midi: String, output: String, soundFont: String? = nil, gain: Double = 0.8,
                              sampleRate: Int = 44_100) throws -> Level {
        guard let fluidsynth = fluidSynthPath() else { throw RenderError.fluidSynthMissing }
        let font: String
        if let soundFont {
            guard FileManager.default.fileExists(atPath: soundFont) else { throw RenderError.soundFontMissing(soundFont) }
            font = soundFont
        } else {
            guard let found = soundFontCandidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw RenderError.soundFontMissing(nil)
            }
            font = found
        }
        // FluidSynth's own reader gives up on some valid files (an unknown chunk type ends the
        // song), so it is handed our clean rewrite of whatever our reader can read.
        let clean = FileManager.default.temporaryDirectory.appendingPathComponent("continuo-render-\(UInt32.random(in: 0...UInt32.max)).mid").path
        try FileBytes.write(MIDIFileWriter.write(try MIDIFileLoader.read(midi).file), to: clean)
        defer { try? FileManager.default.removeItem(atPath: clean) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: fluidsynth)
        process.arguments = ["-ni", "-q", "-g", String(gain), "-r", String(sampleRate), "-F", output, "-T", "wav", font, clean]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: output) else {
            throw RenderError.failed(String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return try level(ofWAV: output)
    }

    /// Renders, then renders again with the gain that puts the peak at `targetPeakDBFS`, so a
    /// soft generated phrase is as audible as a loud chorale and nothing clips.
    @discardableResult
    public static func renderNormalised(midi: String, output: String, soundFont: String? = nil,
                                        targetPeakDBFS: Double = -3, sampleRate: Int = 44_100) throws -> (level: Level, gain: Double) {
        let first = try render(midi: midi, output: output, soundFont: soundFont, gain: 0.8, sampleRate: sampleRate)
        guard first.peakDBFS.isFinite, abs(first.peakDBFS - targetPeakDBFS) > 1 else { return (first, 0.8) }
        let gain = min(10, max(0.05, 0.8 * Foundation.pow(10, (targetPeakDBFS - first.peakDBFS) / 20)))
        return (try render(midi: midi, output: output, soundFont: soundFont, gain: gain, sampleRate: sampleRate), gain)
    }

    /// Peak and RMS of a 16-bit PCM WAV file, in dB relative to full scale.
    public static func level(ofWAV path: String) throws -> Level {
        let bytes = try FileBytes.read(path)
        guard bytes.count > 44, String(decoding: bytes[0..<4], as: UTF8.self) == "RIFF" else {
            throw RenderError.failed("\(path) is not a WAV file")
        }
        var offset = 12
        var channels = 2, rate = 44_100
        var dataRange: Range<Int>?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
            let body = offset + 8
            if id == "fmt ", body + 8 <= bytes.count {
                channels = Int(bytes[body + 2]) | Int(bytes[body + 3]) << 8
                rate = Int(bytes[body + 4]) | Int(bytes[body + 5]) << 8 | Int(bytes[body + 6]) << 16
            } else if id == "data" {
                dataRange = body..<min(bytes.count, body + size)
                break
            }
            offset = body + size + (size & 1)
        }
        guard let data = dataRange else { throw RenderError.failed("\(path) has no audio data") }
        var peak = 0.0, sumSquares = 0.0, count = 0
        var i = data.lowerBound
        while i + 1 < data.upperBound {
            let sample = Double(Int16(bitPattern: UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8)) / 32768
            peak = max(peak, abs(sample))
            sumSquares += sample * sample
            count += 1
            i += 2
        }
        func dB(_ x: Double) -> Double { x > 0 ? 20 * Foundation.log10(x) : -.infinity }
        return Level(peakDBFS: dB(peak), rmsDBFS: dB((sumSquares / Double(max(count, 1))).squareRoot()),
                     seconds: Double(count) / Double(max(channels, 1) * max(rate, 1)))
    }
}
