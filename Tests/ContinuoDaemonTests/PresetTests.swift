import Foundation
import Testing
@testable import ContinuoDaemon

@Suite struct PresetTests {
    static let presets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("presets")

    @Test(arguments: ["jam", "accompany", "midi-effect", "ambient"])
    func bundledPresetsLoad(name: String) throws {
        let (preset, _) = try PresetLoader.load(nameOrPath: Self.presets.appendingPathComponent("\(name).toml").path)
        #expect(preset.name == name)
        #expect(!preset.description.isEmpty)
        #expect(Preset.modes.contains(preset.engine.mode))
    }

    @Test func presetsSayWhatTheyAreFor() throws {
        let jam = try PresetLoader.load(nameOrPath: Self.presets.appendingPathComponent("jam.toml").path).preset
        #expect(jam.engine.mode == "call-response")
        #expect(jam.cc.temperature == 74)
        let effect = try PresetLoader.load(nameOrPath: Self.presets.appendingPathComponent("midi-effect.toml").path).preset
        #expect(effect.engine.mode == "effect")
        #expect(effect.engine.tempoSource == "transport")
        let ambient = try PresetLoader.load(nameOrPath: Self.presets.appendingPathComponent("ambient.toml").path).preset
        #expect(ambient.samplerSettings.scale != nil)
        #expect(ambient.samplerSettings.pitchRange == 48...84)
    }

    @Test(arguments: [
        ("[engine]\nbpm = \"fast\"\n", "engine.bpm", 2, "must be a number"),
        ("name = \"x\"\n[engine]\nmode = \"karaoke\"\n", "engine.mode", 3, "not one of"),
        ("[sampler]\ntemperature = 9.0\n", "sampler.temperature", 2, "out of range"),
        ("[engine]\nbmp = 100\n", "engine.bmp", 2, "unknown key"),
        ("[sampler]\nscale = \"H major\"\n", "sampler.scale", 2, "not a scale"),
        ("[cc]\ntemperature = 200\n", "cc.temperature", 2, "out of range"),
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
}
