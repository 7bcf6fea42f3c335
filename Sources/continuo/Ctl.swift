import ArgumentParser
import ContinuoMIDI
import ContinuoDaemon
import ContinuoProtocol
import Foundation

/// Shared by every `ctl` subcommand.
struct SocketOptions: ParsableArguments {
    @Option(help: "Control socket (default: $XDG_RUNTIME_DIR/continuo/control.sock).") var socket: String?
    @Option(help: "Instance to address (default: the first).") var instance: String?
    @Flag(help: "Print the daemon's JSON reply as is (for scripts).") var json = false

    var path: String { socket ?? ControlSocketServer.defaultPath() }
}

/// Exit codes of `continuo ctl`, by what failed.
enum CtlExit {
    static let refused: Int32 = 1          // an error reply not covered below
    static let unreachable: Int32 = 2      // no daemon on the socket
    static let badRequest: Int32 = 64      // 1xx: the request itself
    static let badState: Int32 = 65        // 2xx: unknown instance, not found, busy, overloaded
    static let fileProblem: Int32 = 66     // 3xx: preset, model, files
    static let jackProblem: Int32 = 69     // 4xx: JACK
    static let internalError: Int32 = 70   // 5xx

    static func code(for error: ErrorCode) -> Int32 {
        switch error.number / 100 {
        case 1: return badRequest
        case 2: return badState
        case 3: return fileProblem
        case 4: return jackProblem
        case 5: return internalError
        default: return refused
        }
    }
}

struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Control a running daemon: parameters, presets, model, capture, live view.",
        discussion: """
        Speaks the protocol of docs/protocol.md over the daemon's Unix socket. Exit codes: 0 done, \
        1 refused, 2 no daemon, 64 bad request, 65 wrong state (unknown instance, not found, \
        overloaded), 66 preset/model/file problem, 69 JACK problem, 70 internal error.
        """,
        subcommands: [CtlPing.self, CtlVersion.self, CtlStatus.self, CtlGet.self, CtlSet.self, CtlPreset.self, CtlModel.self,
                      CtlPanic.self, CtlPause.self, CtlResume.self, CtlCapture.self, CtlPerformer.self, CtlWatch.self, CtlInstance.self])

    /// Sends one command and prints its result; exits with the documented code on failure.
    static func run(_ command: Command, _ options: SocketOptions, show: (JSONValue) -> String = { $0.serialized() }) throws {
        let client: ControlClient
        do {
            client = try ControlClient(path: options.path)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(CtlExit.unreachable)
        }
        let reply: Reply
        do {
            reply = try client.send(command, instance: command.isInstanceScoped ? options.instance : nil)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(CtlExit.unreachable)
        }
        switch reply {
        case let .success(_, result):
            print(options.json ? reply.line : show(result))
        case let .failure(_, error):
            if options.json { print(reply.line) }
            FileHandle.standardError.write(Data("error (\(error.code.rawValue)): \(error.message)\n".utf8))
            throw ExitCode(CtlExit.code(for: error.code))
        }
    }
}

struct CtlPing: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ping", abstract: "Is the daemon there?")
    @OptionGroup var options: SocketOptions
    func run() throws { try Ctl.run(.ping, options) { $0.stringValue ?? $0.serialized() } }
}

struct CtlVersion: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "The daemon's protocol and version.")
    @OptionGroup var options: SocketOptions
    func run() throws { try Ctl.run(.version, options) }
}

struct CtlStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Mode, model, tempo, parameters, JACK, counters, latency.")
    @OptionGroup var options: SocketOptions
    func run() throws {
        try Ctl.run(.status, options) { result in
            var lines: [String] = []
            lines.append("instance \(result["instance"]?.stringValue ?? "?"): mode \(result["mode"]?.stringValue ?? "?")\(result["paused"]?.boolValue == true ? " (paused)" : ""), preset \(result["preset"]?.stringValue ?? "?")")
            lines.append("model \(result["model"]?.stringValue ?? "?")")
            if let tempo = result["tempo"] {
                var line = "tempo \(tempo["bpm"]?.serialized() ?? "?") bpm (\(tempo["source"]?.stringValue ?? "?"))"
                if tempo["following"]?.boolValue == true {
                    line += ", following you: confidence \(tempo["confidence"]?.serialized() ?? "?"), beat phase \(tempo["beat_phase"]?.serialized() ?? "?")"
                } else if let heard = tempo["heard_bpm"], !heard.isNull {
                    line += ", heard \(heard.serialized()) bpm"
                }
                lines.append(line)
            }
            if let l = result["listening"] {
                lines.append("key \(l["key"]?.stringValue ?? "not heard yet"), chord \(l["chord"]?.stringValue ?? "-"), performer model \(l["performer_notes"]?.serialized() ?? "?")/\(l["performer_capacity"]?.serialized() ?? "?") notes")
            }
            if let jack = result["jack"] {
                lines.append(jack["running"]?.boolValue == true ? "JACK: \(jack["sample_rate"]?.serialized() ?? "?") Hz, \(jack["buffer_frames"]?.serialized() ?? "?") frames per period" : "JACK: not connected")
            }
            if let params = result["params"]?.objectValue {
                lines.append("parameters: " + params.keys.sorted().map { "\($0)=\(params[$0]!.serialized())" }.joined(separator: " "))
            }
            if let counters = result["counters"]?.objectValue {
                lines.append("counters: " + counters.keys.sorted().map { "\($0)=\(counters[$0]!.serialized())" }.joined(separator: " "))
            }
            if let latency = result["latency_frames"], latency != .null {
                lines.append("response latency (frames): p50 \(latency["p50"]?.serialized() ?? "?"), p99 \(latency["p99"]?.serialized() ?? "?"), p99.9 \(latency["p999"]?.serialized() ?? "?"), max \(latency["max"]?.serialized() ?? "?")")
            }
            return lines.joined(separator: "\n")
        }
    }
}

struct CtlGet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "A live parameter's value, or all of them.")
    @Argument(help: ArgumentHelp("Parameter.", discussion: Parameter.allCases.map(\.name).joined(separator: ", "))) var parameter: String?
    @OptionGroup var options: SocketOptions

    func validate() throws {
        if let parameter, Parameter(rawValue: parameter) == nil {
            throw ValidationError("unknown parameter '\(parameter)' (known: \(Parameter.allCases.map(\.name).joined(separator: ", ")))")
        }
    }

    func run() throws {
        try Ctl.run(.get(parameter.flatMap(Parameter.init(rawValue:))), options) { result in
            if let params = result["params"]?.objectValue {
                return params.keys.sorted().map { "\($0) = \(params[$0]!.serialized())" }.joined(separator: "\n")
            }
            return result["value"]?.serialized() ?? result.serialized()
        }
    }
}

struct CtlSet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Change a live parameter; it takes effect from the next generated event.")
    @Argument(help: ArgumentHelp("Parameter.", discussion: Parameter.allCases.map(\.name).joined(separator: ", "))) var parameter: String
    @Argument(help: "Value.") var value: String
    @OptionGroup var options: SocketOptions

    func parsed() throws -> (Parameter, ParameterValue) {
        guard let p = Parameter(rawValue: parameter) else {
            throw ValidationError("unknown parameter '\(parameter)' (known: \(Parameter.allCases.map(\.name).joined(separator: ", ")))")
        }
        let json: JSONValue = Int(value).map { .int($0) } ?? Double(value).map { .double($0) }
            ?? (["true", "false"].contains(value) ? .bool(value == "true") : .string(value))
        switch p.validate(json) {
        case let .success(v): return (p, v)
        case let .failure(error): throw ValidationError(error.message)
        }
    }

    func validate() throws { _ = try parsed() }

    func run() throws {
        let (p, v) = try parsed()
        try Ctl.run(.set(p, v), options) { "\($0["param"]?.stringValue ?? p.name) = \($0["value"]?.serialized() ?? "?")" }
    }
}

struct CtlPreset: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "preset", abstract: "list | load NAME | save NAME")
    @Argument(help: "list, load or save.") var action: String
    @Argument(help: "Preset name.") var name: String?
    @OptionGroup var options: SocketOptions

    func validate() throws {
        guard ["list", "load", "save"].contains(action) else { throw ValidationError("preset takes list, load NAME or save NAME") }
        if action != "list", name == nil { throw ValidationError("preset \(action) needs a NAME") }
    }

    func run() throws {
        switch action {
        case "list": try Ctl.run(.presetList, options) { $0["presets"]?.arrayValue?.compactMap(\.stringValue).joined(separator: "\n") ?? "" }
        case "load": try Ctl.run(.presetLoad(name: name!), options) { "loaded \($0["preset"]?.stringValue ?? "?")" }
        default: try Ctl.run(.presetSave(name: name!), options) { "saved \($0["preset"]?.stringValue ?? "?") to \($0["path"]?.stringValue ?? "?")" }
        }
    }
}

struct CtlModel: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "load PATH: swap the model live (the old one stays if the new one is bad).")
    @Argument(help: "load.") var action: String
    @Argument(help: "Model file.") var path: String
    @OptionGroup var options: SocketOptions

    func validate() throws { guard action == "load" else { throw ValidationError("model takes: load PATH") } }

    func run() throws {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        try Ctl.run(.modelLoad(path: absolute), options) { "model \($0["model"]?.stringValue ?? "?")" }
    }
}

struct CtlPanic: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "panic", abstract: "All notes off, now.")
    @OptionGroup var options: SocketOptions
    func run() throws { try Ctl.run(.panic, options) { _ in "all notes off" } }
}

struct CtlPause: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Stop playing (machine notes are released).")
    @OptionGroup var options: SocketOptions
    func run() throws { try Ctl.run(.pause, options) { _ in "paused" } }
}

struct CtlResume: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Play again.")
    @OptionGroup var options: SocketOptions
    func run() throws { try Ctl.run(.resume, options) { _ in "playing" } }
}

struct CtlCapture: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "capture", abstract: "Write the last bars of performer and machine to a MIDI file (\"keep that\").")
    @Argument(help: "MIDI file to write (default: a dated file in ~/.local/share/continuo/captures).") var path: String?
    @Option(help: "How many bars.") var bars = Limits.defaultCaptureBars
    @OptionGroup var options: SocketOptions

    func validate() throws {
        guard Limits.captureBars.contains(bars) else { throw ValidationError("--bars must be within \(Limits.captureBars)") }
    }

    func run() throws {
        let absolute = path.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
        try Ctl.run(.capture(path: absolute, bars: bars), options) { "wrote \($0["path"]?.stringValue ?? "?"): \($0["notes"]?.serialized() ?? "?") notes, \($0["bars"]?.serialized() ?? "?") bars" }
    }
}

struct CtlPerformer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "performer",
        abstract: "reset: forget what was heard this set (your motifs, the key, the chord, the followed beat).")
    @Argument(help: "reset.") var action: String
    @OptionGroup var options: SocketOptions

    func validate() throws { guard action == "reset" else { throw ValidationError("performer takes: reset") } }

    func run() throws {
        try Ctl.run(.performerReset, options) { "forgot \($0["forgotten_notes"]?.serialized() ?? "?") notes of yours" }
    }
}

struct CtlInstance: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "instance", abstract: "list | add NAME [--preset P] | remove NAME")
    @Argument(help: "list, add or remove.") var action: String
    @Argument(help: "Instance name.") var name: String?
    @Option(help: "Preset of a new instance.") var preset: String?
    @OptionGroup var options: SocketOptions

    func run() throws {
        switch action {
        case "list":
            try Ctl.run(.instanceList, options) { result in
                result["instances"]?.arrayValue?.map { "\($0["name"]?.stringValue ?? "?"): \($0["mode"]?.stringValue ?? "?"), preset \($0["preset"]?.stringValue ?? "?")" }.joined(separator: "\n") ?? ""
            }
        case "add":
            guard let name else { throw ValidationError("instance add needs a NAME") }
            try Ctl.run(.instanceAdd(name: name, preset: preset), options)
        case "remove":
            guard let name else { throw ValidationError("instance remove needs a NAME") }
            try Ctl.run(.instanceRemove(name: name), options)
        default:
            throw ValidationError("instance takes list, add NAME or remove NAME")
        }
    }
}

struct CtlWatch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "A live view of notes in and out, parameter and mode changes, xruns and warnings.")
    @Option(help: "Topics (comma-separated).") var topics = Topic.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Stop after this many events (0: never).") var count = 0
    @OptionGroup var options: SocketOptions

    func run() throws {
        let wanted = Set(topics.split(separator: ",").compactMap { Topic(rawValue: String($0)) })
        guard !wanted.isEmpty else { throw ValidationError("no known topic in '\(topics)' (known: \(Topic.allCases.map(\.rawValue).joined(separator: ", ")))") }
        let client: ControlClient
        do { client = try ControlClient(path: options.path) } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(CtlExit.unreachable)
        }
        var seen = 0
        let show: (Event) -> Bool = { event in
            // Unbuffered, so a pipe (ctl watch | grep ...) sees each event as it happens.
            FileHandle.standardOutput.write(Data(((options.json ? event.line : Self.describe(event)) + "\n").utf8))
            seen += 1
            return count == 0 || seen < count
        }
        guard case .success = try client.send(.subscribe(wanted), onEvent: { _ = show($0) }) else { throw ExitCode(CtlExit.refused) }
        do { try client.listen(show) } catch { if count == 0 { throw ExitCode(CtlExit.unreachable) } }
    }

    static func describe(_ event: Event) -> String {
        switch event.kind {
        case let .note(note):
            let name = PitchNames.noteName(note.pitch)
            let arrow = note.direction == .incoming ? "performer ->" : "machine   <-"
            return note.velocity > 0 ? "\(arrow) \(name.padding(toLength: 4, withPad: " ", startingAt: 0)) on  ch\(note.channel) vel \(note.velocity)"
                                     : "\(arrow) \(name.padding(toLength: 4, withPad: " ", startingAt: 0)) off ch\(note.channel)"
        case let .param(parameter, value): return "set \(parameter.name) = \(value.json.serialized())"
        case let .mode(mode, paused): return "mode \(mode)\(paused ? " (paused)" : "")"
        case let .model(path): return "model \(path)"
        case let .xrun(n): return "xrun x\(n)"
        case let .warning(_, message): return "warning: \(message)"
        case let .tempo(bpm, confidence, following):
            return following ? "following you at \(bpm) bpm (confidence \(confidence))" : "heard \(bpm) bpm (confidence \(confidence)), not following"
        case let .harmony(key, chord): return "key \(key ?? "?"), chord \(chord ?? "-")"
        case let .dropped(n, _): return "(\(n) events dropped: this view fell behind)"
        }
    }
}
