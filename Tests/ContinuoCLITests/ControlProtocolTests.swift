import ContinuoDaemon
import ContinuoHarness
import ContinuoProtocol
import ContinuoTestSupport
import Foundation
import Testing

/// Protocol conformance against a real daemon on a private JACK server: every command, every
/// error code the daemon itself produces, events, and abuse that must not take it down.
@Suite(.serialized) struct ControlProtocolTests {
    /// The result of the `status` example in docs/protocol.md.
    static func documentedStatus() throws -> [String: Any] {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/protocol.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(#"{"id":2,"ok":true,"result":{"alsa""#) })
        let reply = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return try #require(reply["result"] as? [String: Any])
    }

    /// A raw line client: what `socat` does.
    final class RawClient {
        let fd: Int32
        var pending: [UInt8] = []

        init(_ path: String) throws {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
            let ok = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            guard ok == 0 else { throw ControlClient.ClientError.cannotConnect(path, "refused") }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit { close(fd) }

        func send(_ line: String) {
            let bytes = Array((line + "\n").utf8)
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return }
                sent += n
            }
        }

        func line() -> String? {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while !pending.contains(0x0A) {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { return nil }
                pending += buffer[0..<n]
            }
            let end = pending.firstIndex(of: 0x0A)!
            let line = String(decoding: pending[..<end], as: UTF8.self)
            pending.removeFirst(end + 1)
            return line
        }

        /// The next reply (events are skipped), as JSON.
        func reply() -> [String: Any]? {
            while let line = line() {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
                if object["ok"] != nil { return object }
            }
            return nil
        }

        func errorCode(after request: String) -> String? {
            send(request)
            return (reply()?["error"] as? [String: Any])?["code"] as? String
        }
    }

    /// A private server, a daemon on it and (after `playLoop`) a `jack_midiseq` feeding it;
    /// all three stopped and reaped in that order by `stop()` or, on any other path, `deinit`.
    final class Fixture {
        let server: PrivateJackServer
        let daemon: DaemonTests.RunningDaemon
        let folder: TemporaryFolder
        private var loop: ChildProcess?
        var socket: String { daemon.socket }

        init(preset: String = "midi-effect", environment: [String: String] = [:], arguments: [String] = []) throws {
            folder = try TemporaryFolder(prefix: "continuo-control-test")
            server = try PrivateJackServer(logDirectory: folder.url)
            daemon = try DaemonTests.RunningDaemon(["--jack-server", server.name, "--preset", preset] + arguments, environment: environment)
            guard daemon.waitFor("connected to JACK server") else { throw ControlClient.ClientError.closed }
        }

        /// jack_midiseq loops C4 (every `frames` frames: 24000 is 120 BPM) into the daemon's input.
        func playLoop(into input: String = "continuo-fx:in", frames: Int = 24_000) throws {
            let environment = ["JACK_DEFAULT_SERVER": server.name, "JACK_NO_START_SERVER": "1"]
            loop = try ChildProcess("/usr/bin/jack_midiseq", ["loop", "\(frames)", "0", "60", "\(frames / 4)"], environment: environment)
            guard waitFor(5, every: 0.02, { PrivateJackServer.portExists("loop:out", server: server.name) }) else {
                throw ControlClient.ClientError.closed
            }
            let connect = try ChildProcess.run("/usr/bin/jack_connect", ["loop:out", input], environment: environment, timeout: 10)
            guard connect.status == .exited(0) else { throw ControlClient.ClientError.cannotConnect("loop:out", connect.errors) }
        }

        /// Stops the loop first (jack_midiseq ignores SIGTERM once its server is gone, so it
        /// gets a short grace and then SIGKILL), then the daemon, then the server.
        func stop() -> Int32 {
            loop?.stop(grace: 0.5)
            let status = daemon.stop()
            server.stop()
            return status
        }

        deinit { _ = stop() }
    }

    static let enabled = DaemonTests.hasJack && FileManager.default.fileExists(atPath: "/usr/bin/jack_midiseq")

    @Test(.enabled(if: enabled, "jackd2 is not installed"))
    func everyCommandAnswers() throws {
        let f = try Fixture()
        let c = try RawClient(f.socket)
        #expect(c.line()?.contains("\"hello\":\"continuo\"") == true)
        func ok(_ request: String) -> [String: Any]? {
            c.send(request)
            let reply = c.reply()
            #expect(reply?["ok"] as? Bool == true, "\(request) -> \(String(describing: reply))")
            return reply?["result"] as? [String: Any]
        }
        c.send(#"{"id":1,"cmd":"ping"}"#)
        #expect(c.reply()?["result"] as? String == "pong")
        #expect(ok(#"{"id":"v","cmd":"version"}"#)?["protocol"] as? Int == 1)
        let status = try #require(ok(#"{"id":2,"cmd":"status"}"#))
        // The status the docs show has the fields the daemon sends, down to the counters.
        let documented = try Self.documentedStatus()
        #expect(Set(status.keys) == Set(documented.keys), "status fields differ from docs/protocol.md's example")
        for section in ["counters", "tempo", "listening", "params"] {
            #expect(Set((status[section] as? [String: Any] ?? [:]).keys) == Set((documented[section] as? [String: Any] ?? [:]).keys), "status.\(section) differs from docs/protocol.md")
        }
        #expect((status["jack"] as? [String: Any])?["sample_rate"] as? Int == 48_000)
        #expect((ok(#"{"id":3,"cmd":"get"}"#)?["params"] as? [String: Any])?.count == Parameter.allCases.count)
        let examples: [String: String] = ["temperature": "0.8", "top_k": "20", "top_p": "0.9", "repetition_penalty": "1.2",
            "mode": "\"accompany\"", "density": "0.5", "response_beats": "4", "silence_beats": "2", "output_channel": "3",
            "input_channel": "0", "transpose": "2", "tempo_source": "\"fixed\"", "bpm": "90", "window_events": "128",
            "quantize": "\"16th\"", "max_note_beats": "2", "effect_through": "false", "lookahead_periods": "3",
            "no_repeat_ngram": "4", "max_polyphony": "3", "follow": "0.5", "key_strength": "2", "harmony_strength": "1.5"]
        #expect(examples.count == Parameter.allCases.count)
        for (name, value) in examples {
            let result = ok(#"{"id":4,"cmd":"set","param":"\#(name)","value":\#(value)}"#)
            #expect(result?["param"] as? String == name)
            c.send(#"{"id":5,"cmd":"get","param":"\#(name)"}"#)
            let got = (c.reply()?["result"] as? [String: Any])?["value"]
            let shown = "\(got ?? "nil")", sent = value.replacingOccurrences(of: "\"", with: "")
            if sent == "true" || sent == "false" {
                #expect(got as? Bool == (sent == "true"), "\(name)")
            } else if let a = Double(shown), let b = Double(sent) { #expect(a == b, "\(name)") } else { #expect(shown == sent, "\(name)") }
        }
        #expect((ok(#"{"id":6,"cmd":"preset","action":"list"}"#)?["presets"] as? [String])?.contains("jam") == true)
        #expect(ok(#"{"id":7,"cmd":"preset","action":"load","name":"jam"}"#)?["preset"] as? String == "jam")
        #expect(ok(#"{"id":9,"cmd":"model","action":"load","path":"\#(DaemonTests.model)"}"#)?["model"] as? String == DaemonTests.model)
        _ = ok(#"{"id":10,"cmd":"panic"}"#)
        #expect(ok(#"{"id":11,"cmd":"pause"}"#)?["paused"] as? Bool == true)
        #expect(ok(#"{"id":12,"cmd":"resume"}"#)?["paused"] as? Bool == false)
        #expect((ok(#"{"id":13,"cmd":"subscribe","topics":["params"]}"#)?["topics"] as? [String]) == ["params"])
        #expect((ok(#"{"id":14,"cmd":"unsubscribe","topics":["params"]}"#)?["topics"] as? [String]) == [])
        #expect(ok(#"{"id":16,"cmd":"performer","action":"reset"}"#)?["forgotten_notes"] as? Int == 0)
        #expect(((ok(#"{"id":15,"cmd":"instance","action":"list"}"#)?["instances"] as? [[String: Any]])?.first?["name"] as? String) == "main")
        #expect(f.stop() == 0)
    }

    @Test(.enabled(if: enabled, "jackd2 is not installed"))
    func errorsHaveTheirCodes() throws {
        // The user's preset folder holds a broken preset, and a folder where `preset save mine`
        // would write its file, so the save fails whoever runs the test (root included).
        let config = try TemporaryFolder(prefix: "continuo-presets")
        let presets = config.url.appendingPathComponent("continuo/presets")
        try FileManager.default.createDirectory(at: presets.appendingPathComponent("mine.toml"), withIntermediateDirectories: true)
        try Data("in the way\n".utf8).write(to: presets.appendingPathComponent("mine.toml/file"))
        try Data("[engine]\nbpm = \"fast\"\n".utf8).write(to: presets.appendingPathComponent("bad.toml"))
        let f = try Fixture(environment: ["XDG_CONFIG_HOME": config.url.path])
        let c = try RawClient(f.socket)
        _ = c.line()
        #expect(c.errorCode(after: "{not json") == "parse_error")
        #expect(c.errorCode(after: "[1,2]") == "invalid_request")
        #expect(c.errorCode(after: #"{"cmd":"fly"}"#) == "unknown_command")
        #expect(c.errorCode(after: #"{"cmd":"set","param":"loudness","value":1}"#) == "unknown_parameter")
        #expect(c.errorCode(after: #"{"cmd":"set","param":"temperature"}"#) == "missing_argument")
        #expect(c.errorCode(after: #"{"cmd":"set","param":"temperature","value":"hot"}"#) == "wrong_type")
        #expect(c.errorCode(after: #"{"cmd":"set","param":"temperature","value":9}"#) == "out_of_range")
        #expect(c.errorCode(after: #"{"cmd":"status","instance":"bass"}"#) == "unknown_instance")
        #expect(c.errorCode(after: #"{"cmd":"preset","action":"load","name":"nosuch"}"#) == "not_found")
        #expect(c.errorCode(after: #"{"cmd":"instance","action":"add","name":"main"}"#) == "instance_exists")
        #expect(c.errorCode(after: #"{"cmd":"instance","action":"remove","name":"main"}"#) == "invalid_state")
        #expect(c.errorCode(after: #"{"cmd":"instance","action":"remove","name":"nobody"}"#) == "unknown_instance")
        #expect(c.errorCode(after: #"{"cmd":"instance","action":"add","name":"x","preset":"nosuch"}"#) == "not_found")
        let corrupt = f.folder.path("corrupt.safetensors")
        _ = FileManager.default.createFile(atPath: corrupt, contents: Data(repeating: 1, count: 100))
        #expect(c.errorCode(after: #"{"cmd":"model","action":"load","path":"\#(corrupt)"}"#) == "model_invalid")
        #expect(c.errorCode(after: #"{"cmd":"preset","action":"load","name":"bad"}"#) == "preset_invalid")
        #expect(c.errorCode(after: #"{"cmd":"preset","action":"save","name":"mine"}"#) == "io_error")
        // Nothing played yet: capture has nothing to write (io_error on capture: eventsAndCapture).
        #expect(c.errorCode(after: #"{"cmd":"capture","bars":2}"#) == "invalid_state")
        // Two loads at once: the second is busy. The tiny test model sometimes loads before the
        // second request is read; the bundled 2 x 512 model (16 MB) takes long enough.
        let big = FileManager.default.fileExists(atPath: DefaultModelTests.model) ? DefaultModelTests.model : DaemonTests.model
        c.send(#"{"id":50,"cmd":"model","action":"load","path":"\#(big)"}"# + "\n" + #"{"id":51,"cmd":"model","action":"load","path":"\#(big)"}"#)
        var codes: [Int: String] = [:]
        for _ in 0..<2 {
            if let r = c.reply(), let rid = r["id"] as? Int { codes[rid] = r["ok"] as? Bool == true ? "ok" : (r["error"] as? [String: Any])?["code"] as? String }
        }
        #expect(codes[51] == "busy", "\(codes)")
        // A 1 MB line is refused once; the connection goes on.
        c.send(String(repeating: "x", count: 1 << 20))
        #expect((c.reply()?["error"] as? [String: Any])?["code"] as? String == "line_too_long")
        c.send(#"{"id":99,"cmd":"ping"}"#)
        #expect(c.reply()?["id"] as? Int == 99)
        // A flood beyond the rate limit is shed, and the daemon is still there afterwards.
        var shed = 0
        for _ in 0..<4000 { c.send(#"{"cmd":"set","param":"temperature","value":0.9}"#) }
        for _ in 0..<4000 { if (c.reply()?["error"] as? [String: Any])?["code"] as? String == "overloaded" { shed += 1 } }
        #expect(shed > 0)
        // Once the rate limit has refilled, requests are answered again.
        #expect(waitFor(5, every: 0.05) {
            c.send(#"{"id":100,"cmd":"ping"}"#)
            return c.reply()?["result"] as? String == "pong"
        })
        #expect(f.stop() == 0)
    }

    /// A second generator, added and removed live, with its own ports and parameters.
    @Test(.enabled(if: enabled, "jackd2 is not installed"))
    func instancesAreAddedAndRemovedLive() throws {
        let f = try Fixture()
        let c = try RawClient(f.socket)
        _ = c.line()
        c.send(#"{"id":1,"cmd":"instance","action":"add","name":"bass","preset":"accompany"}"#)
        #expect((c.reply()?["result"] as? [String: Any])?["preset"] as? String == "accompany")
        #expect(waitFor(5, every: 0.02) { PrivateJackServer.portExists("continuo-accompany:midi_in", server: f.server.name) },
                "the new instance has its own JACK ports")
        func temperature(_ instance: String?) throws -> Double {
            c.send(#"{"id":3,"cmd":"get","param":"temperature"\#(instance.map { #","instance":"\#($0)""# } ?? "")}"#)
            let reply = c.reply()
            return try #require((reply?["result"] as? [String: Any])?["value"] as? Double, "get temperature -> \(String(describing: reply))")
        }
        let before = try temperature(nil)
        try #require(before != 1.5, "the test needs a main temperature other than 1.5")
        c.send(#"{"id":2,"cmd":"set","param":"temperature","value":1.5,"instance":"bass"}"#)
        #expect(c.reply()?["ok"] as? Bool == true)
        #expect(try temperature("bass") == 1.5)
        #expect(try temperature(nil) == before, "the first instance keeps its own")
        c.send(#"{"id":4,"cmd":"status","instance":"bass"}"#)
        #expect((c.reply()?["result"] as? [String: Any])?["mode"] as? String == "accompany")
        c.send(#"{"id":5,"cmd":"instance","action":"list"}"#)
        #expect(((c.reply()?["result"] as? [String: Any])?["instances"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["main", "bass"])
        c.send(#"{"id":6,"cmd":"instance","action":"remove","name":"bass"}"#)
        #expect(c.reply()?["ok"] as? Bool == true)
        #expect(waitFor(5, every: 0.02) { !PrivateJackServer.portExists("continuo-accompany:midi_in", server: f.server.name) })
        c.send(#"{"id":7,"cmd":"ping"}"#)
        #expect(c.reply()?["result"] as? String == "pong")
        #expect(f.stop() == 0)
    }

    @Test(.enabled(if: enabled, "jackd2 is not installed"))
    func abusiveClientsDoNotTakeItDown() throws {
        let f = try Fixture()
        // A client that never reads, subscribed to everything, while notes play.
        let sleeper = try RawClient(f.socket)
        sleeper.send(#"{"cmd":"subscribe","topics":["notes","params","mode","model","xruns","warnings"]}"#)
        try f.playLoop()
        // One that disconnects mid-reply.
        for _ in 0..<20 {
            let quitter = try RawClient(f.socket)
            quitter.send(#"{"cmd":"status"}"#)
        }
        // A hundred at once.
        let clients = try (0..<100).map { _ in try RawClient(f.socket) }
        for (i, client) in clients.enumerated() { client.send(#"{"id":\#(i),"cmd":"ping"}"#) }
        var answered = 0
        for client in clients {
            _ = client.line()
            if client.reply()?["result"] as? String == "pong" { answered += 1 }
        }
        #expect(answered == 100)
        let c = try RawClient(f.socket)
        _ = c.line()
        let eventsIn = waitForValue(5, every: 0.1) { () -> Int? in
            c.send(#"{"id":1,"cmd":"status"}"#)
            let n = ((c.reply()?["result"] as? [String: Any])?["counters"] as? [String: Any])?["events_in"] as? Int ?? 0
            return n > 0 ? n : nil
        }
        #expect(eventsIn != nil, "the loop's notes reach the daemon while it is being abused")
        #expect(f.daemon.process.isRunning)
        #expect(f.stop() == 0)
    }

    @Test(.enabled(if: enabled, "jackd2 is not installed"))
    func eventsAndCapture() throws {
        let f = try Fixture()
        try f.playLoop()
        let c = try RawClient(f.socket)
        _ = c.line()
        c.send(#"{"id":1,"cmd":"subscribe","topics":["notes","params","mode"]}"#)
        var kinds = Set<String>(), directions = Set<String>()
        c.send(#"{"id":2,"cmd":"set","param":"density","value":1}"#)
        c.send(#"{"id":3,"cmd":"set","param":"mode","value":"effect"}"#)
        let deadline = Date().addingTimeInterval(8)
        while Date() < deadline, !(directions.contains("in") && directions.contains("out") && kinds.contains("param") && kinds.contains("mode")) {
            guard let line = c.line(), let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { break }
            if let kind = object["event"] as? String { kinds.insert(kind) }
            if let dir = object["dir"] as? String { directions.insert(dir) }
        }
        #expect(directions == ["in", "out"])
        #expect(kinds.isSuperset(of: ["note", "param", "mode"]))
        let target = f.folder.path("capture.mid")
        let capture = try CLITests().run(["ctl", "capture", target, "--bars", "4", "--socket", f.socket])
        #expect(capture.status == 0, "\(capture.err)")
        let inspect = try CLITests().run(["inspect", "--json", target])
        #expect(inspect.out.contains("\"name\" : \"performer\""))
        #expect(inspect.out.contains("\"name\" : \"continuo\""))
        // Notes were played, so only the path stands in the way: a folder that is a file.
        _ = FileManager.default.createFile(atPath: f.folder.path("not-a-folder"), contents: Data())
        #expect(c.errorCode(after: #"{"cmd":"capture","path":"\#(f.folder.path("not-a-folder"))/keep.mid","bars":4}"#) == "io_error")
        #expect(f.stop() == 0)
    }

    /// `continuo ctl set temperature X` mid-run changes what is generated next: answers to the
    /// same repeated note are fixed at temperature 0 and scatter at a high temperature.
    @Test(.enabled(if: enabled, "jackd2 is not installed"))
    func temperatureChangesWhatIsGeneratedNext() throws {
        let f = try Fixture()
        try f.playLoop()
        func answers(at temperature: String, count: Int) throws -> [Int] {
            let set = try CLITests().run(["ctl", "set", "temperature", temperature, "--socket", f.socket])
            #expect(set.status == 0, "\(set.err)")
            let c = try RawClient(f.socket)
            _ = c.line()
            c.send(#"{"id":1,"cmd":"subscribe","topics":["notes"]}"#)
            var pitches: [Int] = []
            while pitches.count < count, let line = c.line() {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      o["dir"] as? String == "out", (o["velocity"] as? Int ?? 0) > 0, let pitch = o["pitch"] as? Int else { continue }
                pitches.append(pitch)
            }
            return pitches
        }
        let cold = try answers(at: "0", count: 8)
        let hot = try answers(at: "5", count: 8)
        #expect(cold.count == 8 && hot.count == 8)
        #expect(Set(hot).count > Set(cold).count, "cold \(cold), hot \(hot)")
        let bad = try CLITests().run(["ctl", "set", "temperature", "-1", "--socket", f.socket])
        #expect(bad.status == 64)
        #expect(f.stop() == 0)
    }

    /// Without a JACK server the daemon waits, and its socket answers; what needs JACK says so.
    @Test(.enabled(if: enabled, "jackd2 is not installed"))
    func withoutJACKTheSocketStillAnswers() throws {
        let daemon = try DaemonTests.RunningDaemon(["--jack-server", "continuo-nobody-\(UInt16.random(in: 0...UInt16.max))"])
        #expect(daemon.waitFor("JACK is not available"))
        let client = try #require(waitForValue(5, every: 0.05) { try? RawClient(daemon.socket) })
        _ = client.line()
        client.send(#"{"id":1,"cmd":"status"}"#)
        #expect(((client.reply()?["result"] as? [String: Any])?["jack"] as? [String: Any])?["running"] as? Bool == false)
        #expect(client.errorCode(after: #"{"id":2,"cmd":"panic"}"#) == "jack_unavailable")
        #expect(daemon.stop() == 0)
    }

    @Test(.enabled(if: enabled, "jackd2 is not installed"))
    func socketIsPrivateAndStaleFilesAreReplaced() throws {
        let folder = try TemporaryFolder(prefix: "continuo-stale-socket")
        let path = folder.path("stale.sock")
        // A socket file nobody listens on, as a crashed daemon leaves.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))
        let log = Log(minimum: .error)
        let server = try ControlSocketServer(path: path, log: log)
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? 0
        #expect(mode & 0o777 == 0o600)
        #expect(throws: ControlSocketServer.ServerError.self) { _ = try ControlSocketServer(path: path, log: log) }
        server.close()
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// The jam preset follows a player who sends no clock (its fallback is 100 BPM): the tempo,
    /// its confidence and the key appear in `status` and as `listening` events; the new knobs
    /// are live over the socket; `performer reset` forgets; capture keeps the model.
    @Test(.enabled(if: enabled, "jackd2 is not installed"))
    func followsThePlayerOverTheSocket() throws {
        let f = try Fixture(preset: "jam")
        let c = try RawClient(f.socket)
        _ = c.line()
        c.send(#"{"id":1,"cmd":"subscribe","topics":["listening","notes"]}"#)
        #expect(c.reply()?["ok"] as? Bool == true)
        // A note every 19200 frames: 150 BPM as jack_midiseq counts; the frames the daemon stamps
        // them with wander when the loop's cycles run late, so the reference is what arrived.
        try f.playLoop(into: "continuo:midi_in", frames: 19_200)
        var onsets: [Int] = []
        var followed: Double? = nil
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline, let line = c.line() {
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if o["event"] as? String == "note", o["dir"] as? String == "in", (o["velocity"] as? Int ?? 0) > 0, let frame = o["frame"] as? Int {
                onsets.append(frame)
            }
            if o["event"] as? String == "tempo", o["following"] as? Bool == true { followed = o["bpm"] as? Double }
            if onsets.count >= 12, followed != nil { break }
        }
        let heard = try #require(followed, "no tempo event while a player plays")
        // jack_midiseq's loop stands still through a missed cycle, so on a host whose timer runs
        // late the stamped intervals stretch; the player's tempo is then either what it meant
        // (150) or what arrived (the median stamped interval), and following means one of them.
        let intervals = zip(onsets.dropFirst(), onsets).map { Double($0 - $1) }.suffix(8).sorted()
        let played = 60 * 48_000 / (intervals.isEmpty ? 19_200 : intervals[intervals.count / 2])
        func follows(_ bpm: Double) -> Bool { min(abs(bpm / played - 1), abs(bpm / 150 - 1)) < 0.08 }
        #expect(follows(heard), "followed \(heard) BPM, notes came at \(played) BPM")
        #expect(abs(heard / 100 - 1) > 0.1, "still on the preset's 100 BPM: \(heard)")
        let s = try RawClient(f.socket)
        _ = s.line()
        s.send(#"{"id":2,"cmd":"status"}"#)
        let status = try #require(s.reply()?["result"] as? [String: Any])
        let tempo = try #require(status["tempo"] as? [String: Any])
        #expect(tempo["source"] as? String == "follow")
        #expect(tempo["following"] as? Bool == true)
        #expect(follows(tempo["bpm"] as? Double ?? 0), "\(tempo), notes came at \(played) BPM")
        #expect((tempo["confidence"] as? Double ?? 0) > 0.3)
        #expect(tempo["beat_phase"] is Double)
        let listening = try #require(status["listening"] as? [String: Any])
        #expect((listening["performer_notes"] as? Int ?? 0) > 0)
        #expect(listening["performer_capacity"] as? Int == 512)
        // The new knobs, live and range-checked.
        for (name, value) in [("follow", 0.8), ("key_strength", 3.0), ("harmony_strength", 2.0)] {
            let set = try CLITests().run(["ctl", "set", name, "\(value)", "--socket", f.socket])
            #expect(set.status == 0, "\(set.err)")
            s.send(#"{"id":3,"cmd":"get","param":"\#(name)"}"#)
            #expect((s.reply()?["result"] as? [String: Any])?["value"] as? Double == value)
        }
        #expect(s.errorCode(after: #"{"cmd":"set","param":"follow","value":1.5}"#) == "out_of_range")
        // Capture keeps the performer model with the phrase.
        let target = f.folder.path("jam.mid")
        let capture = try CLITests().run(["ctl", "capture", target, "--bars", "2", "--socket", f.socket])
        #expect(capture.status == 0, "\(capture.err)")
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: target + ".performer.json"))) as? [String: Any]
        #expect(((sidecar?["notes"] as? [[String: Any]])?.count ?? 0) > 0)
        // Reset forgets what was heard.
        let reset = try CLITests().run(["ctl", "performer", "reset", "--socket", f.socket])
        #expect(reset.status == 0, "\(reset.err)")
        #expect(reset.out.contains("forgot"))
        let ctlStatus = try CLITests().run(["ctl", "status", "--socket", f.socket])
        #expect(ctlStatus.out.contains("tempo"), "\(ctlStatus.out)")
        #expect(f.stop() == 0)
    }
}
