import ContinuoALSA
import ContinuoMIDI
import ContinuoTestSupport
import Foundation
import Testing

/// The daemon on the ALSA sequencer, against a real kernel sequencer (scripts/alsa-vm boots one
/// where this machine has none): an independent sequencer client plays into it and records what
/// it plays, as a USB keyboard and a synth would.
@Suite(.serialized, .enabled(if: ALSASequencer.isAvailable, "no ALSA sequencer here (/dev/snd/seq); scripts/alsa-vm runs these in a VM"))
struct ALSADaemonTests {
    typealias RawClient = ControlProtocolTests.RawClient

    /// What a sequencer client heard: messages and their stamps on its own queue.
    struct Heard {
        var messages: [(bytes: MIDIBytes, at: Int64)] = []
        var noteOns: [(bytes: MIDIBytes, at: Int64)] { messages.filter { $0.bytes.isNoteOn } }

        /// Note-ons with no later note-off (or All Notes Off on their channel).
        var stuck: [MIDIBytes] {
            var sounding: [UInt16: MIDIBytes] = [:]
            for (bytes, _) in messages {
                let key = UInt16(bytes.channel) << 7 | UInt16(bytes.data1)
                if bytes.isNoteOn { sounding[key] = bytes }
                else if bytes.isNoteOff { sounding[key] = nil }
                else if bytes.status & 0xF0 == 0xB0, bytes.data1 == 123 { sounding = sounding.filter { $0.value.channel != bytes.channel } }
            }
            return Array(sounding.values)
        }
    }

    func listen(_ seq: ALSASequencer, into heard: inout Heard, seconds: Double, until done: (Heard) -> Bool = { _ in false }) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !done(heard) {
            if case let .message(m, at, _, _)? = try seq.receive(timeoutMilliseconds: 20) { heard.messages.append((m, at)) }
        }
    }

    /// Reads the socket's note events until `seconds` pass or `done` holds.
    func noteEvents(_ socket: RawClient, seconds: Double) -> [[String: Any]] {
        var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(socket.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var notes: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, let line = socket.line() {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["event"] as? String == "note" else { continue }
            notes.append(o)
        }
        return notes
    }

    /// A phrase played into the daemon, which connected to a keyboard that appeared after it
    /// started (hot-plug); the answer arrives when the daemon meant it to, note by note, and
    /// after SIGTERM every note it played has its note-off.
    @Test func answersWithItsRhythmAndClosesEveryNoteOnStop() throws {
        let daemon = try DaemonTests.RunningDaemon(["--backend", "alsa", "--preset", "jam", "--connect-in", "continuo-keys", "--connect-out", "continuo-keys"])
        try #require(daemon.waitFor("connected to the ALSA sequencer", seconds: 60), "\(daemon.logText)")
        #expect(daemon.logText.contains("no ALSA port matches 'continuo-keys' yet"), "\(daemon.logText)")
        let keys = try ALSASequencer(name: "continuo-keys", inputName: "in", outputName: "out")
        #expect(daemon.waitFor("-> midi_in", seconds: 10) && daemon.waitFor("midi_out ->", seconds: 10), "hot-plug: \(daemon.logText)")
        let socket = try RawClient(daemon.socket)
        _ = socket.line()
        socket.send(#"{"id":1,"cmd":"subscribe","topics":["notes"]}"#)
        #expect(socket.reply()?["ok"] as? Bool == true)

        // Eight eighth notes at 120 BPM on channel 2, as a keyboard would play them.
        let start = keys.now + 200_000_000
        var played: [Int64] = []
        for k in 0..<8 {
            let at = start + Int64(k) * 250_000_000
            played.append(at)
            try keys.send(.noteOn(channel: 1, pitch: UInt8([60, 62, 64, 65, 67, 65, 64, 62][k]), velocity: 90), at: at)
            try keys.send(.noteOff(channel: 1, pitch: UInt8([60, 62, 64, 65, 67, 65, 64, 62][k])), at: at + 200_000_000)
        }
        var heard = Heard()
        // The answer comes after a beat of silence; wait for a few of its notes (the VM is slow).
        try listen(keys, into: &heard, seconds: 30) { h in h.noteOns.filter { $0.bytes.channel == 0 }.count >= 6 }
        let events = noteEvents(socket, seconds: 0.5)
        let machine = heard.noteOns.filter { $0.bytes.channel == 0 }
        #expect(machine.count >= 4, "the machine answered with \(machine.count) notes; daemon: \(daemon.logText)")

        // Both queues run on the same clock from different starts: the input notes, stamped by
        // the daemon on arrival, give the offset between them.
        let inFrames = events.filter { $0["dir"] as? String == "in" && ($0["velocity"] as? Int ?? 0) > 0 }.compactMap { $0["frame"] as? Int }
        try #require(inFrames.count == played.count, "the daemon heard \(inFrames.count) of \(played.count) notes: \(events)")
        let offsets = zip(played, inFrames).map { Double($0) / 1e6 - Double($1) / 48 }.sorted()
        let offset = offsets[offsets.count / 2]
        #expect(offsets.last! - offsets.first! < 5, "input stamps wander by \(offsets.last! - offsets.first!) ms")
        // Each answer note arrived within 5 ms (an emulated VM's timer) of the frame the daemon scheduled it for, unless
        // the daemon itself counted it late: handed over after its time because the worker ran
        // behind (an emulated VM running a debug build computes an answer's first chord in tens
        // of milliseconds; ALSASessionTests shows what is handed over early keeps its rhythm).
        let meant = events.filter { $0["dir"] as? String == "out" && ($0["velocity"] as? Int ?? 0) > 0 }
            .compactMap { e -> (Int, Double)? in
                guard let pitch = e["pitch"] as? Int, let frame = e["frame"] as? Int else { return nil }
                return (pitch, Double(frame) / 48 + offset)
            }
        var misses: [String] = []
        for (bytes, at) in machine {
            let arrived = Double(at) / 1e6
            let nearest = meant.filter { $0.0 == Int(bytes.data1) }.map { arrived - $0.1 }.min { abs($0) < abs($1) } ?? .infinity
            if abs(nearest) > 5 { misses.append("pitch \(bytes.data1) arrived at \(arrived) ms, \(nearest) ms after its schedule") }
        }

        #expect(daemon.stop() == 0, "\(daemon.logText)")
        try listen(keys, into: &heard, seconds: 1)
        #expect(heard.stuck.isEmpty, "notes left sounding after SIGTERM: \(heard.stuck)")
        let reportLine = try #require(daemon.outText.split(separator: "\n").first { $0.hasPrefix("report ") })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(reportLine.dropFirst(7).utf8)) as? [String: Any])
        #expect(report["backend"] as? String == "alsa")
        #expect(misses.count <= report["lateOutputs"] as? Int ?? 0, "off their schedule and not counted late: \(misses); \(report)")
    }

    /// With no JACK server, `auto` (the presets' backend) plays on the sequencer.
    @Test func autoPicksALSAWhenNoJACKServerRuns() throws {
        let daemon = try DaemonTests.RunningDaemon(["--preset", "midi-effect"], environment: ["JACK_DEFAULT_SERVER": "continuo-none-\(getpid())"])
        #expect(daemon.waitFor("connected to the ALSA sequencer", seconds: 60), "\(daemon.logText)")
        #expect(daemon.logText.contains("playing on the ALSA sequencer"))
        let socket = try RawClient(daemon.socket)
        _ = socket.line()
        socket.send(#"{"id":1,"cmd":"status"}"#)
        let status = try #require(socket.reply()?["result"] as? [String: Any])
        #expect(status["backend"] as? String == "alsa")
        let alsa = try #require(status["alsa"] as? [String: Any])
        #expect(alsa["running"] as? Bool == true)
        #expect((alsa["input"] as? String)?.contains(":") == true)
        #expect((status["jack"] as? [String: Any])?["running"] as? Bool == false)
        #expect(daemon.stop() == 0)
    }

    /// A keyboard unplugged while a key is down: the daemon ends that note (nothing hangs on the
    /// synth), says so, and plays with the keyboard again when it is back.
    @Test func survivesAKeyboardThatGoesAwayAndComesBack() throws {
        let synth = try ALSASequencer(name: "continuo-synth", inputName: "in", outputName: "out")
        let daemon = try DaemonTests.RunningDaemon(["--backend", "alsa", "--preset", "midi-effect", "--connect-in", "continuo-unplug",
                                                    "--connect-out", "continuo-synth"])
        try #require(daemon.waitFor("connected to the ALSA sequencer", seconds: 60), "\(daemon.logText)")
        #expect(daemon.waitFor("out -> ", seconds: 10), "\(daemon.logText)")
        var keyboard: ALSASequencer? = try ALSASequencer(name: "continuo-unplug", inputName: "in", outputName: "out")
        #expect(daemon.waitFor("continuo-unplug:out -> in", seconds: 10), "\(daemon.logText)")
        try keyboard?.send(.noteOn(channel: 0, pitch: 55, velocity: 100), at: nil)
        var heard = Heard()
        try listen(synth, into: &heard, seconds: 10) { h in h.noteOns.contains { $0.bytes.channel == 0 && $0.bytes.data1 == 55 } }
        #expect(heard.noteOns.contains { $0.bytes.channel == 0 && $0.bytes.data1 == 55 }, "the held note passes through")
        keyboard = nil   // unplugged, key still down
        #expect(daemon.waitFor("went away", seconds: 10), "\(daemon.logText)")
        #expect(daemon.waitFor("ended 1 notes held", seconds: 5), "\(daemon.logText)")
        try listen(synth, into: &heard, seconds: 10) { h in !h.stuck.contains { $0.channel == 0 && $0.data1 == 55 } }
        #expect(!heard.stuck.contains { $0.channel == 0 && $0.data1 == 55 }, "the unplugged keyboard's note still sounds")
        #expect(daemon.process.isRunning, "a keyboard going away is no reason to stop")
        // Plugged in again: connected again, and it plays.
        let again = try ALSASequencer(name: "continuo-unplug", inputName: "in", outputName: "out")
        #expect(daemon.waitFor("continuo-unplug:out -> in", count: 2, seconds: 10), "\(daemon.logText)")
        try again.send(.noteOn(channel: 0, pitch: 57, velocity: 100), at: nil)
        try again.send(.noteOff(channel: 0, pitch: 57), at: again.now + 100_000_000)
        try listen(synth, into: &heard, seconds: 10) { h in h.noteOns.contains { $0.bytes.data1 == 57 } }
        #expect(heard.noteOns.contains { $0.bytes.channel == 0 && $0.bytes.data1 == 57 }, "no sound after the keyboard came back")
        #expect(daemon.stop() == 0)
        try listen(synth, into: &heard, seconds: 1)
        #expect(heard.stuck.isEmpty, "\(heard.stuck)")
    }

    /// The thread that talks to the sequencer keeps the JACK callback's rules while it works
    /// (notes in, answers out): the probe of RealtimeAllocationTests, watching that thread's
    /// loops instead of a callback, counts no allocation and no lock.
    @Test func theSequencerThreadNeverAllocatesNorLocks() throws {
        let folder = try TemporaryFolder(prefix: "continuo-rtprobe-alsa")
        let probe = try RealtimeAllocationTests.buildProbe(in: folder)
        let counts = folder.path("counts")
        let keys = try ALSASequencer(name: "continuo-probe-keys", inputName: "in", outputName: "out")
        let daemon = try DaemonTests.RunningDaemon(["--backend", "alsa", "--preset", "midi-effect", "--connect-in", "continuo-probe-keys", "--connect-out", "continuo-probe-keys"],
                                                   environment: ["LD_PRELOAD": probe, "CONTINUO_RT_PROBE_THREAD": "continuo-alsa", "CONTINUO_RT_PROBE_OUT": counts])
        try #require(daemon.waitFor("connected to the ALSA sequencer", seconds: 60), "\(daemon.logText)")
        #expect(daemon.waitFor("continuo-probe-keys:out -> in", seconds: 10), "\(daemon.logText)")
        var heard = Heard()
        for k in 0..<30 {
            let pitch = UInt8(50 + k % 24)
            try keys.send(.noteOn(channel: 0, pitch: pitch, velocity: 90), at: nil)
            try keys.send(.noteOff(channel: 0, pitch: pitch), at: keys.now + 60_000_000)
            try listen(keys, into: &heard, seconds: 0.1)
        }
        try listen(keys, into: &heard, seconds: 0.5)
        #expect(heard.noteOns.contains { $0.bytes.channel == 1 }, "the machine answered nothing: \(daemon.logText)")
        #expect(daemon.stop() == 0)
        let (line, fields) = try #require(RealtimeAllocationTests.counts(in: counts, for: "continuo-alsa"), "the probe saw no loop of the sequencer thread")
        print("sequencer thread under the probe: \(line)")
        // About 3.5 s of play at one loop per 1.3 ms period at least (more with input).
        #expect((fields["callbacks"] ?? 0) > 1_000, "\(line)")
        #expect(fields["allocations"] == 0, "\(line)")
        #expect(fields["frees"] == 0, "\(line)")
        #expect(fields["locks"] == 0, "\(line)")
    }
}
