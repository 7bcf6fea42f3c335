import ArgumentParser
import ContinuoDaemon
import ContinuoOffline
import ContinuoWeb
import Foundation

struct DaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run the accompanist on JACK or the ALSA sequencer: listen on a MIDI input port, answer on a MIDI output port.",
        discussion: """
        Runs in the foreground with readable logs until SIGTERM or Ctrl-C, which release every machine \
        note before leaving. --backend auto (the default) plays on JACK when a server runs, else on the \
        ALSA sequencer (a USB keyboard with no JACK: see `aconnect -l` for the names --connect-in takes). \
        With neither it waits and connects when one appears; if the server goes away it reconnects. It \
        never starts a JACK server itself (scripts/run does, for the demo).
        """)

    @Option(help: "Preset name (from presets/) or a .toml file.") var preset = "jam"
    @Option(help: "Model file (default: the preset's, normally the bundled model).") var model: String?
    @Option(help: "jack, alsa or auto (JACK when a server runs, else ALSA). Default: the preset's (auto); a --jack-server means jack.") var backend: Backend?
    @Option(help: "JACK server name (default: the default server).") var jackServer: String?
    @Option(name: .customLong("connect-in"), help: "Connect this port to the input, by name (JACK port pattern, or part of an ALSA 'client:port' name as aconnect -l shows); repeatable. On ALSA, ports that appear later are connected when they do.")
    var connectIn: [String] = []
    @Option(name: .customLong("connect-out"), help: "Connect the output to this port, by name; repeatable.")
    var connectOut: [String] = []
    @Option(help: "Seed of the machine's choices.") var seed: UInt64 = 1
    @Option(help: "Control socket (default: $XDG_RUNTIME_DIR/continuo/control.sock).") var socket: String?
    @Option(help: "Let this group use the control socket too (mode 0660).") var socketGroup: String?
    @Flag(help: "No control socket.") var noSocket = false
    @Option(help: "Serve the performer's page at HOST:PORT (e.g. 127.0.0.1:8750; another address than loopback needs the token printed at start). Default: the preset's [web] address, if any.")
    var web: String?
    @Flag(help: "Debug logs.") var verbose = false

    func run() throws {
        let log = Log(minimum: verbose ? .debug : .info)
        let loaded: (preset: Preset, path: String)
        do {
            loaded = try PresetLoader.load(nameOrPath: preset)
        } catch {
            throw CLIError("\(error)")
        }
        let modelPath: String
        if let model {
            modelPath = model
        } else if loaded.preset.model == "default" {
            guard let found = ModelStore.defaultModelPath() else { throw CLIError("no bundled model found (models/default.safetensors); pass --model FILE") }
            modelPath = found
        } else {
            let relative = loaded.preset.model
            modelPath = relative.hasPrefix("/") ? relative : ((loaded.path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(relative)
        }
        var options = Daemon.Options(preset: loaded.preset, presetPath: loaded.path, modelPath: modelPath, jackServer: jackServer)
        options.seed = seed
        options.backend = backend
        options.connectInput = connectIn
        options.connectOutput = connectOut
        options.socketPath = noSocket ? nil : (socket ?? ControlSocketServer.defaultPath())
        options.socketGroup = socketGroup
        let daemon: Daemon
        do {
            daemon = try Daemon(options: options, log: log)
        } catch {
            throw CLIError("\(error)")
        }
        log.info("continuo daemon: preset '\(loaded.preset.name)' (\(loaded.path)), model \(modelPath)")
        let stopper = SignalStopper { signal in
            log.info("received \(signal == SIGTERM ? "SIGTERM" : "SIGINT"); stopping")
            daemon.requestStop()
        }
        var page: WebServer? = nil
        if let web = web ?? loaded.preset.webAddress {
            do {
                page = try WebServer(daemon: daemon, address: web, token: ProcessInfo.processInfo.environment["CONTINUO_WEB_TOKEN"])
            } catch {
                throw CLIError("\(error)")
            }
            page?.start()
            for url in page!.urls {
                log.info("web page: \(url)" + (page!.token == nil ? "" : " (the token is needed from other machines)"))
            }
        }
        let report = daemon.run()
        page?.stop()
        withExtendedLifetime(stopper) {}
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print("report " + String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self))
    }
}

extension Backend: ExpressibleByArgument {}

/// Turns SIGTERM and SIGINT into a call on a dispatch queue (never inside the signal handler).
final class SignalStopper {
    private var sources: [DispatchSourceSignal] = []

    init(_ handler: @escaping @Sendable (Int32) -> Void) {
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { handler(sig) }
            source.resume()
            sources.append(source)
        }
    }
}
