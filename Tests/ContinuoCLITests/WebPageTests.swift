import ContinuoProcess
import ContinuoTestSupport
import Foundation
import Testing

/// The performer's page, served by a daemon on a private JACK server, in a real headless
/// browser (Chromium through Selenium): it shows the notes played into the daemon, a slider
/// moved in the page is what `ctl get` then returns, "keep" writes a MIDI file.
@Suite(.serialized) struct WebPageTests {
    static let browser = FileManager.default.fileExists(atPath: "/usr/bin/chromium") && FileManager.default.fileExists(atPath: "/usr/bin/chromedriver")
    static let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Browser/page_test.py").path

    /// A port nobody listens on now.
    static func freePort() -> Int { Int.random(in: 20_000...40_000) }

    @Test(.enabled(if: ControlProtocolTests.enabled && browser, "jackd2, chromium or chromedriver is not installed"))
    func thePageShowsNotesMovesKnobsAndKeepsPhrases() throws {
        let port = Self.freePort()
        let data = try TemporaryFolder(prefix: "continuo-web-data")
        let f = try ControlProtocolTests.Fixture(environment: ["XDG_DATA_HOME": data.path("")], arguments: ["--web", "127.0.0.1:\(port)"])
        try f.playLoop(frames: 12_000)
        #expect(f.daemon.waitFor("web page: http://127.0.0.1:\(port)/"), "\(f.daemon.logText)")
        let shot = f.folder.path("page.png")
        let run = try ChildProcess.run("python3", [Self.script, "http://127.0.0.1:\(port)/", shot], timeout: 120)
        #expect(run.status.code == 0, "\(run.output)\(run.errors)")
        let seen = try #require(lastJSONObject(in: run.output), "\(run.output)\(run.errors)")
        #expect((seen["notes_in"] as? Int ?? 0) > 0)
        #expect((seen["notes_out"] as? Int ?? 0) > 0, "the machine's answers (midi-effect) show too")
        #expect((seen["answers_in_histogram"] as? Int ?? 0) > 0, "the latency histogram counts the machine's answers: \(seen)")
        #expect((seen["latency"] as? String)?.hasPrefix("p50 ") == true, "\(seen)")
        let get = try CLITests().run(["ctl", "get", "temperature", "--json", "--socket", f.socket])
        #expect(get.out.contains("1.3"), "the slider moved to 1.3; ctl get says \(get.out)")
        let kept = try #require((seen["kept"] as? String)?.split(separator: " ").first.map(String.init))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: kept))
        #expect(bytes.prefix(4) == Data("MThd".utf8), "keep wrote \(kept)")
        #expect(kept.hasPrefix(data.path("")), "captures go to the daemon's data folder: \(kept)")
        // "like": the phrase and its rating in the keepers folder, where train --finetune reads them.
        let keeper = data.path("continuo/keepers") + "/" + (kept as NSString).lastPathComponent
        #expect((seen["rated"] as? String)?.contains(keeper) == true, "\(seen)")
        #expect(FileManager.default.fileExists(atPath: keeper))
        #expect((try? String(contentsOfFile: keeper + ".rating", encoding: .utf8)) == "like\n")
        #expect(FileManager.default.fileExists(atPath: shot))
        if let keep = ProcessInfo.processInfo.environment["CONTINUO_KEEP_SCREENSHOT"] { try? FileManager.default.copyItem(atPath: shot, toPath: keep) }
        #expect(f.stop() == 0)
    }

    /// Bound beyond loopback, the page and its socket need the token the daemon printed.
    @Test(.enabled(if: ControlProtocolTests.enabled, "jackd2 is not installed"))
    func anotherAddressNeedsTheToken() throws {
        let port = Self.freePort()
        let f = try ControlProtocolTests.Fixture(arguments: ["--web", "0.0.0.0:\(port)"])
        #expect(f.daemon.waitFor("web page: http://"), "\(f.daemon.logText)")
        let token = try #require(f.daemon.logText.components(separatedBy: "?token=").last?.prefix(32).description)
        func status(_ path: String, _ headers: [String] = []) throws -> String {
            try ChildProcess.run("/usr/bin/curl", ["-s", "-m", "3", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)\(path)"] + headers.flatMap { ["-H", $0] }, timeout: 10).output
        }
        #expect(try status("/") == "401")
        #expect(try status("/params.json") == "401")
        #expect(try status("/?token=wrong") == "401")
        #expect(try status("/?token=\(token)") == "200")
        #expect(try status("/params.json", ["X-Continuo-Token: \(token)"]) == "200")
        let upgrade = ["Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]
        #expect(try status("/ws", upgrade) != "101", "a WebSocket without the token")
        #expect(try status("/ws?token=\(token)", upgrade) == "101")
        #expect(f.stop() == 0)
    }

    /// A token from the environment stays the same across restarts (a phone's bookmark keeps
    /// working), and a wildcard address is printed once per interface, as a phone would open it.
    @Test(.enabled(if: ControlProtocolTests.enabled, "jackd2 is not installed"))
    func aFixedTokenAndOneURLPerInterface() throws {
        let port = Self.freePort()
        let fixed = "stage-left-0123456789"
        let f = try ControlProtocolTests.Fixture(environment: ["CONTINUO_WEB_TOKEN": fixed], arguments: ["--web", "0.0.0.0:\(port)"])
        #expect(f.daemon.waitFor("web page: http://"), "\(f.daemon.logText)")
        Thread.sleep(forTimeInterval: 0.3)
        let urls = f.daemon.logText.split(separator: "\n").compactMap { line in line.range(of: "web page: ").flatMap { line[$0.upperBound...].split(separator: " ").first } }
        #expect(!urls.isEmpty && urls.allSatisfy { $0.hasSuffix(":\(port)/?token=\(fixed)") }, "\(urls)")
        let code = try ChildProcess.run("/usr/bin/curl", ["-s", "-m", "3", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/?token=\(fixed)"], timeout: 10).output
        #expect(code == "200")
        #expect(f.stop() == 0)
        let socket = f.folder.path("short.sock")
        let short = try ChildProcess.run(CLITests.binary.path, ["daemon", "--web", "0.0.0.0:\(Self.freePort())", "--jack-server", "nobody-\(port)", "--socket", socket],
                                         environment: ["CONTINUO_WEB_TOKEN": "abc", "JACK_NO_START_SERVER": "1"], timeout: 20)
        #expect(short.status.code != 0 && !short.timedOut, "a guessable token is refused")
        #expect(short.errors.contains("CONTINUO_WEB_TOKEN must be at least 16"), "\(short.errors)")
    }

    /// 100 clients, one that floods and never reads, malformed and oversized frames: each gets
    /// the protocol's answer or is dropped, a new client is answered at once, and the daemon
    /// plays on (its worker and callback never wait for a browser).
    @Test(.enabled(if: ControlProtocolTests.enabled, "jackd2 is not installed"))
    func abuseOfTheSocketLeavesTheDaemonPlaying() throws {
        let port = Self.freePort()
        let f = try ControlProtocolTests.Fixture(arguments: ["--web", "127.0.0.1:\(port)"])
        try f.playLoop(frames: 4_800)
        #expect(f.daemon.waitFor("web page: http://127.0.0.1:\(port)/"), "\(f.daemon.logText)")
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/Browser/socket_abuse.py").path
        let run = try ChildProcess.run("python3", [script, "ws://127.0.0.1:\(port)/ws"], timeout: 120)
        #expect(run.status.code == 0, "\(run.output)\(run.errors)")
        let seen = try #require(lastJSONObject(in: run.output), "\(run.output)\(run.errors)")
        print("web socket abuse: \(run.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        #expect(seen["subscribed"] as? Int == 100)
        #expect(seen["not_json"] as? String == "parse_error")
        #expect(seen["unknown"] as? String == "unknown_command")
        #expect(seen["after_binary"] as? String == "pong")
        #expect(seen["oversized"] as? String != "answered")
        #expect(seen["fresh"] as? String == "pong")
        let status = try CLITests().run(["ctl", "status", "--json", "--socket", f.socket])
        #expect(status.status == 0, "\(status.err)")
        #expect(f.daemon.process.isRunning)
        #expect(f.stop() == 0)
        print("daemon report after the abuse: \(f.daemon.outText.split(separator: "\n").last ?? "")")
    }
}
