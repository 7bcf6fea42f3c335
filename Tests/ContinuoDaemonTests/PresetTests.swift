import Foundation
import Testing
@testable import ContinuoDaemon
import ContinuoProtocol

@Suite struct PresetTests {
    static let presets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("presets")

    @Test(arguments: ["jam", "accompany", "midi-effect", "ambient"])
    func bundledPresetsLoad(name: String) throws {
        let (preset, _) = try PresetLoader.load(nameOrPath: Self.presets.appendingPathComponent("\(name).toml").path)
        #expect(preset.name == name)
        #expect(!preset.description.isEmpty)
        #expect(Parameter.modes.contains(preset.values.choice(.mode)))
    }

    @Test func presetsSayWhatTheyAreFor() throws {
        let jam = try PresetLoader.load(nameOrPath: Self.presets.appendingPathComponent("jam.toml").path).preset
        #expect(jam.values[.mode] == .choice("call-response"))
        #expect(jam.controls[.parameter(.temperature)] == 74)
        let effect = try PresetLoader.load(nameOrPath: Self.presets.appendingPathComponent("midi-effect.toml").path).preset
        #expect(effect.values[.mode] == .choice("effect"))
        #expect(effect.values[.tempoSource] == .choice("transport"))
        let ambient = try PresetLoader.load(nameOrPath: Self.presets.appendingPathComponent("ambient.toml").path).preset
        let sampler = ambient.engineConfiguration(sampleRate: 48_000, bufferSize: 128).sampler
        #expect(sampler.scale != nil)
        #expect(sampler.pitchRange == 48...84)
    }

    @Test(arguments: [
        ("[engine]\nbpm = \"fast\"\n", "engine.bpm", 2, "must be a number"),
        ("name = \"x\"\n[engine]\nmode = \"karaoke\"\n", "engine.mode", 3, "not one of"),
        ("[sampler]\ntemperature = 9.0\n", "sampler.temperature", 2, "out of range"),
        ("[engine]\nbmp = 100\n", "engine.bmp", 2, "unknown key"),
        ("[sampler]\nscale = \"H major\"\n", "sampler.scale", 2, "not a scale"),
        ("[cc]\ntemperature = 200\n", "cc.temperature", 2, "out of range"),
        ("[cc]\nvolume = 7\n", "cc.volume", 2, "unknown key"),
        ("[engine]\neffect_through = 1\n", "engine.effect_through", 2, "true or false"),
        ("[sampler]\ntop_k = 400\n", "sampler.top_k", 2, "out of range"),
        ("name = \"x\"\nbackend = \"coreaudio\"\n", "backend", 2, "not a backend"),
        ("[alsa]\nconnect = [\"USB\"]\n", "alsa.connect", 2, "unknown key"),
        ("[web]\nport = 8750\n", "web.port", 2, "unknown key"),
    ])
    func badPresetsNameTheKeyAndLine(text: String, key: String, line: Int, message: String) {
        do {
            _ = try PresetLoader.parse(text, file: "bad.toml")
            Issue.record("expected an error for \(key)")
        } catch let error as PresetError {
            #expect(error.key == key)
            #expect(error.line == line)
            #expect(error.message.contains(message))
            #expect(error.description.hasPrefix("bad.toml:\(line) [\(key)]"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func brokenTOMLGivesItsLine() {
        do {
            _ = try PresetLoader.parse("name = \"ok\"\n[engine\nbpm = 3\n", file: "broken.toml")
            Issue.record("expected an error")
        } catch let error as PresetError {
            #expect(error.line == 2)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// `preset save` writes what `PresetLoader` reads back identically, whatever the text holds.
    @Test func savedPresetsReadBackAsTheyWere() throws {
        var preset = try PresetLoader.load(nameOrPath: Self.presets.appendingPathComponent("ambient.toml").path).preset
        preset.name = "late \"night\" set"
        preset.description = "two lines,\nquotes \" and \\ backslashes, a tab\t and ünïcødé ♩"
        preset.jack.connectOutput = ["fluidsynth:midi_00", "a \"quoted\" port"]
        preset.values[.transpose] = .integer(-7)
        preset.values[.effectThrough] = .flag(false)
        preset.values[.temperature] = .real(0.85)
        preset.controls[.onOff] = 64
        preset.controls[.parameter(.responseBeats)] = 21
        preset.backend = .alsa
        preset.alsa.connectInput = ["USB Keyboard", "20:0"]
        preset.alsa.connectOutput = ["FLUID Synth"]
        preset.webAddress = "0.0.0.0:8750"
        let text = PresetWriter.toml(preset)
        let again = try PresetLoader.parse(text, file: "saved.toml")
        #expect(again == preset, "\(text)")
    }

    /// `backend` and `[alsa]`: what a Raspberry Pi between a keyboard and a synth needs.
    @Test func aPresetCanChooseALSAAndItsPorts() throws {
        let preset = try PresetLoader.parse("""
            backend = "alsa"
            [alsa]
            connect_input = ["USB Keyboard"]
            connect_output = ["FLUID Synth", "128:0"]
            """, file: "pi.toml")
        #expect(preset.backend == .alsa)
        #expect(preset.alsa.connectInput == ["USB Keyboard"])
        #expect(preset.alsa.connectOutput == ["FLUID Synth", "128:0"])
        #expect(try PresetLoader.parse("", file: "plain.toml").backend == .auto, "auto unless a preset says otherwise")
        var options = Daemon.Options(preset: preset, presetPath: "", modelPath: "", jackServer: nil)
        #expect(options.chosenBackend == .alsa)
        options.backend = .jack
        #expect(options.chosenBackend == .jack, "the command line wins")
        options.backend = nil
        options.preset.backend = .auto
        options.jackServer = "studio"
        #expect(options.chosenBackend == .jack, "a named JACK server means JACK")
    }
}
