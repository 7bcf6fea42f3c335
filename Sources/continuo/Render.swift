import ArgumentParser
import ContinuoOffline

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Render a MIDI file to WAV with FluidSynth.")

    @Argument(help: "MIDI file.") var input: String
    @Option(name: .shortAndLong, help: "WAV file to write.") var output: String?
    @Option(help: "SoundFont (.sf2); default: the General MIDI SoundFont from fluid-soundfont-gm.") var soundfont: String?
    @Option(help: "FluidSynth gain; by default the level is normalised to a -3 dBFS peak.") var gain: Double?
    @Option(help: "Sample rate.") var rate = 44_100

    func run() throws {
        let target = output ?? (input.hasSuffix(".mid") ? String(input.dropLast(4)) : input) + ".wav"
        do {
            let level: AudioRenderer.Level
            if let gain {
                level = try AudioRenderer.render(midi: input, output: target, soundFont: soundfont, gain: gain, sampleRate: rate)
            } else {
                level = try AudioRenderer.renderNormalised(midi: input, output: target, soundFont: soundfont, sampleRate: rate).level
            }
            print("wrote \(target): \(Inspection.fixedString(level.seconds, 1)) s, peak \(Inspection.fixedString(level.peakDBFS, 1)) dBFS, RMS \(Inspection.fixedString(level.rmsDBFS, 1)) dBFS")
            if level.peakDBFS > -0.1 { print("note: the peak reaches full scale; try a lower --gain") }
            if level.rmsDBFS < -35 { print("note: this is quiet; try a higher --gain") }
        } catch {
            throw CLIError(error)
        }
    }
}
