import ContinuoHarness
import ContinuoMIDI
import ContinuoParameters
import ContinuoTestSupport
import Foundation
import Testing

/// The LV2 plugin in a real host: `jalv` runs the bundle `continuo lv2 install` wrote as a JACK
/// client on a private dummy server; the latency harness plays into it from one JACK client and
/// records it with another, as it does the daemon.
@Suite(.serialized) struct LV2PluginTests {
    static let jalv = "/usr/bin/jalv"
    static let enabled = DaemonTests.hasJack && FileManager.default.fileExists(atPath: jalv)
    static let hasTools = FileManager.default.fileExists(atPath: "/usr/bin/sord_validate") && FileManager.default.fileExists(atPath: "/usr/bin/lv2info")

    /// An LV2 folder holding continuo.lv2, built from this checkout, playing the tests' small model.
    func install(into folder: TemporaryFolder, model: String = DaemonTests.model) throws -> String {
        let lv2 = folder.path("lv2")
        let result = try CLITests().run(["lv2", "install", "--into", lv2, "--model", model])
        try #require(result.status == 0, "\(result.err)")
        return lv2
    }

    /// The latency harness around jalv, in a process of its own (`continuo bench latency
    /// --host ...`): libjack keeps per-process state that in-process clients of one server and
    /// servers killed by other tests running meanwhile must not share.
    func harness(_ lv2: String, seconds: Double = 4, jalvOptions: [String] = [], environment: [String] = [],
                 midwayLine: String? = nil) throws -> LatencyHarness.Result {
        let host = [Self.jalv, "-n", "continuo-lv2", "-x"] + jalvOptions + [PluginLayout.uri]
        var arguments = ["bench", "latency", "--json", "--seconds", "\(seconds)", "--notes-per-second", "10", "--control-every", "0",
                         "--machine-channel", "2", "--host-env", "LV2_PATH=\(lv2)"]
        arguments += host.map { "--host=\($0)" } + environment.map { "--host-env=\($0)" }
        if let midwayLine { arguments += ["--midway-line", midwayLine] }
        let run = try CLITests().run(arguments)
        try #require(run.status == 0, "\(run.err)")
        let json = String(run.out[(run.out.firstIndex(of: "{") ?? run.out.startIndex)...])
        return try JSONDecoder().decode(LatencyHarness.Result.self, from: Data(json.utf8))
    }

    @Test(.enabled(if: hasTools, "sord_validate and lv2info are not installed"))
    func turtleValidatesAndTheHostSeesTheTablesPorts() throws {
        let folder = try TemporaryFolder(prefix: "continuo-lv2-ttl")
        let lv2 = try install(into: folder)
        let schemas = try FileManager.default.subpathsOfDirectory(atPath: "/usr/lib/lv2").filter { $0.hasSuffix(".ttl") }.map { "/usr/lib/lv2/" + $0 }
        let validate = try ChildProcess.run("/usr/bin/sord_validate", schemas + [lv2 + "/continuo.lv2/manifest.ttl", lv2 + "/continuo.lv2/continuo.ttl"], timeout: 60)
        #expect(validate.status.code == 0, "\(validate.output)\(validate.errors)")
        #expect((validate.output + validate.errors).contains("Found 0 errors"), "\(validate.output)\(validate.errors)")
        let info = try ChildProcess.run("/usr/bin/lv2info", [PluginLayout.uri], environment: ["LV2_PATH": lv2], timeout: 30)
        #expect(info.status.code == 0, "\(info.errors)")
        for symbol in ["events_in", "events_out", "enabled"] + PluginLayout.controls.map(\.name) {
            #expect(info.output.contains("Symbol:      \(symbol)\n"), "lv2info lacks \(symbol)")
        }
        // The ranges are the protocol's: temperature 0...5, as `ctl set` checks it.
        let temperature = try #require(info.output.components(separatedBy: "Symbol:      temperature").last)
        let range = Parameter.temperature.controlRange
        #expect(temperature.contains(String(format: "Minimum:     %.6f", range.lowerBound)) && temperature.contains(String(format: "Maximum:     %.6f", range.upperBound)), "\(temperature.prefix(300))")
        #expect(info.output.contains("state#interface"))
    }

    /// Answers come one period after the note that caused them, every note is released, and a
    /// control turned through jalv halfway (mode off) silences the machine.
    @Test(.enabled(if: enabled, "jackd2 or jalv is not installed"))
    func inJalvItAnswersClosesEveryNoteAndFollowsItsControls() throws {
        let folder = try TemporaryFolder(prefix: "continuo-lv2-jalv")
        let lv2 = try install(into: folder)
        let result = try harness(lv2, midwayLine: "mode = 0")
        let firstHalf = result.inputNotes / 2
        // Sample-accurate answers are a promise for cycles the server ran on time (see DaemonTests).
        if result.xrunsDuringPlay == 0 {
            #expect(result.responded >= firstHalf - 1, "\(result.responded) of the first \(firstHalf) notes answered; jalv said: \(result.daemonLog)")
            #expect((result.responseLatencyFrames?.p50 ?? .max) <= result.period, "\(String(describing: result.responseLatencyFrames))")
        } else {
            #expect(result.responded * 10 >= firstHalf * 8, "\(result.responded) of \(firstHalf) with \(result.xrunsDuringPlay) xruns")
        }
        #expect(result.passThroughLatencyFrames?.count ?? 0 >= firstHalf - 1, "the performer's notes pass through until mode off")
        #expect(result.machineNotesAfterMidway == 0, "mode = 0 through jalv, and the machine played \(result.machineNotesAfterMidway ?? -1) notes")
        #expect(result.stuckNotes == 0)
    }

    /// Without a usable model the plugin still loads, says why, and passes MIDI through.
    @Test(.enabled(if: enabled, "jackd2 or jalv is not installed"))
    func aCorruptModelPassesMIDIThroughAndSaysWhy() throws {
        let folder = try TemporaryFolder(prefix: "continuo-lv2-corrupt")
        let lv2 = try install(into: folder)
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: lv2 + "/continuo.lv2/default.safetensors"))
        let result = try harness(lv2, seconds: 2)
        #expect(result.daemonLog.contains("no model to play"), "\(result.daemonLog)")
        #expect(result.responded == 0)
        #expect(result.passThroughLatencyFrames?.count ?? 0 >= result.inputNotes * 9 / 10, "\(result.daemonLog)")
        #expect(result.stuckNotes == 0)
    }

    /// State a DAW saved with its session (a preset, a model) is restored: what can be loaded is,
    /// what cannot is named in the host's log and the plugin plays on.
    @Test(.enabled(if: enabled, "jackd2 or jalv is not installed"))
    func savedStateIsRestoredAndABadModelIsNamed() throws {
        let folder = try TemporaryFolder(prefix: "continuo-lv2-state")
        let lv2 = try install(into: folder)
        let state = folder.path("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let missing = folder.path("gone.safetensors")
        try """
            @prefix lv2: <http://lv2plug.in/ns/lv2core#> .
            @prefix pset: <http://lv2plug.in/ns/ext/presets#> .
            @prefix state: <http://lv2plug.in/ns/ext/state#> .
            <> a pset:Preset ;
                lv2:appliesTo <\(PluginLayout.uri)> ;
                state:state [
                    <\(PluginLayout.statePresetKey)> "ambient" ;
                    <\(PluginLayout.stateModelKey)> "\(missing)"
                ] .

            """.write(toFile: state + "/state.ttl", atomically: true, encoding: .utf8)
        let result = try harness(lv2, seconds: 2, jalvOptions: ["-l", state])
        #expect(result.daemonLog.contains("restored preset 'ambient'"), "\(result.daemonLog)")
        #expect(result.daemonLog.contains("cannot restore model \(missing)"), "\(result.daemonLog)")
        #expect(result.stuckNotes == 0)
    }

    /// jalv's whole process callback, our `run()` inside it, allocates nothing and takes no lock
    /// while the plugin answers (the probe of RealtimeAllocationTests, on jalv's JACK client).
    @Test(.enabled(if: enabled, "jackd2 or jalv is not installed"))
    func runNeverAllocatesNorLocks() throws {
        let folder = try TemporaryFolder(prefix: "continuo-lv2-probe")
        let lv2 = try install(into: folder)
        let probe = try RealtimeAllocationTests.buildProbe(in: folder)
        let counts = folder.path("counts")
        // Knobs turned while it plays: the control ports' path is watched too.
        let result = try harness(lv2, seconds: 3, environment: ["LD_PRELOAD=\(probe)", "CONTINUO_RT_PROBE_CLIENT=continuo-lv2", "CONTINUO_RT_PROBE_OUT=\(counts)"],
                                 midwayLine: "temperature = 1.4")
        #expect(result.responded > 0, "\(result.daemonLog)")
        let (line, fields) = try #require(RealtimeAllocationTests.counts(in: counts, for: "continuo-lv2"), "the probe saw no callback of jalv's client")
        print("jalv's process callback under the probe: \(line)")
        #expect((fields["callbacks"] ?? 0) > 500, "\(line)")
        #expect(fields["allocations"] == 0, "\(line)")
        #expect(fields["frees"] == 0, "\(line)")
        #expect(fields["locks"] == 0, "\(line)")
    }

    /// A DAW's view, one block at a time (this process as a minimal host, no JACK): bypass, a
    /// transport that stops, and a deactivation each end the machine's sounding notes; bypassed,
    /// MIDI passes through untouched; the saved state names the model and the preset.
    @Test func bypassTransportStopAndDeactivationEndTheMachinesNotes() throws {
        let folder = try TemporaryFolder(prefix: "continuo-lv2-host")
        let lv2 = try install(into: folder)
        let host = try MinimalLV2Host(bundle: lv2 + "/continuo.lv2")
        host.set(.mode, .choice("effect"))
        host.set(.outputChannel, .integer(2))
        host.activate()
        var sounding = Set<UInt8>()   // machine notes (channel 2) sounding at the synth
        var passed: [MIDIBytes] = []
        let rolling = MinimalLV2Host.Position(bpm: 120, rolling: true)
        @discardableResult
        func block(_ events: [(offset: Int, bytes: MIDIBytes)] = [], position: MinimalLV2Host.Position? = nil) -> [(offset: Int, bytes: MIDIBytes)] {
            let out = host.run(frames: 128, events: events, position: position)
            for (_, m) in out {
                if m.channel == 1, m.isNoteOn { sounding.insert(m.data1) }
                else if m.channel == 1, m.isNoteOff { sounding.remove(m.data1) }
                else if m.channel == 1, m.status & 0xF0 == 0xB0, m.data1 == 123 { sounding.removeAll() }
                if m.channel == 0 { passed.append(m) }
            }
            usleep(2_667)   // real time: the worker needs the period a block stands for
            return out
        }
        /// Plays a key until the machine answers; the notes sounding then.
        func answer(_ pitch: UInt8, position: MinimalLV2Host.Position? = nil) throws -> Set<UInt8> {
            block([(5, .noteOn(channel: 0, pitch: pitch, velocity: 100))], position: position)
            for _ in 0..<400 where sounding.isEmpty { block(position: position) }
            let answered = sounding
            block([(0, .noteOff(channel: 0, pitch: pitch))], position: position)
            try #require(!answered.isEmpty, "no answer to \(pitch)")
            return answered
        }

        // Bypass: what sounds ends, and MIDI passes through untouched.
        let beforeBypass = try answer(60)
        host.enabled = false
        for _ in 0..<4 { block() }
        #expect(sounding.isDisjoint(with: beforeBypass), "still sounding after bypass: \(sounding)")
        passed.removeAll()
        let through = block([(40, .noteOn(channel: 0, pitch: 64, velocity: 77)), (90, .noteOff(channel: 0, pitch: 64))])
        #expect(through.map(\.offset) == [40, 90] && passed == [.noteOn(channel: 0, pitch: 64, velocity: 77), .noteOff(channel: 0, pitch: 64)],
                "bypassed, MIDI passes as it came: \(through)")
        for _ in 0..<40 { block() }
        #expect(sounding.isEmpty, "the machine played while bypassed: \(sounding)")
        host.enabled = true

        // Transport stop.
        for _ in 0..<4 { block(position: rolling) }
        let beforeStop = try answer(62, position: rolling)
        for _ in 0..<4 { block(position: MinimalLV2Host.Position(bpm: 120, rolling: false)) }
        #expect(sounding.isDisjoint(with: beforeStop), "still sounding after the transport stopped: \(sounding)")

        // Deactivation: notes it could not end then end with the next activation's first block.
        let beforeDeactivate = try answer(65)
        host.deactivate()
        host.activate()
        for _ in 0..<2 { block() }
        #expect(sounding.isDisjoint(with: beforeDeactivate), "left sounding across deactivate: \(sounding)")

        let state = host.save()
        #expect(state[PluginLayout.stateModelKey]?.hasSuffix("continuo.lv2/default.safetensors") == true, "\(state)")
        #expect(state[PluginLayout.statePresetKey] == PluginLayout.defaultPreset, "\(state)")
        host.deactivate()
    }
}
