import ArgumentParser
import ContinuoEncoding
import ContinuoHarness
import ContinuoModel
import ContinuoOffline
import Foundation

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print figures (use a release build).",
        subcommands: [BenchParse.self, BenchModel.self, BenchGenerate.self, BenchLatency.self, BenchMusicianship.self, BenchALSA.self, BenchLV2.self])
}

struct BenchParse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Notes per second for reading MIDI files and extracting notes, one thread, files preloaded.")

    @Argument(help: "Folders of MIDI files.")
    var folders: [String]

    @Option(help: "Timed rounds; the median is reported.")
    var rounds = 7

    func run() throws {
        noteIfDebugBuild(release: "`swift run -c release continuo bench parse`")
        let result = try ParseBenchmark(roots: folders, rounds: rounds).run()
        let megabytes = Double(result.bytes) / 1e6
        print("files \(result.files), \(Inspection.fixedString(megabytes, 2)) MB, \(result.notes) notes")
        print("read + extract notes: median \(Inspection.fixedString(result.median * 1e3, 1)) ms per pass, "
              + "\(Inspection.fixedString(Double(result.notes) / result.median / 1e6, 2)) M notes/s, "
              + "\(Inspection.fixedString(megabytes / result.median, 1)) MB/s")
        print("read only:            median \(Inspection.fixedString(result.parseOnlyMedian * 1e3, 1)) ms per pass, "
              + "\(Inspection.fixedString(Double(result.notes) / result.parseOnlyMedian / 1e6, 2)) M notes/s")
    }
}

struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "LSTM step latency (median, p99), batched throughput, training tokens/s and int8 accuracy for a shape.")

    @Option(help: "Vocabulary size.") var vocab = Vocabulary.size
    @OptionGroup var shape: ModelShapeOptions
    @Option(help: "Timed single steps.") var steps = 3000
    @Option(help: "Rows of the batched step.") var batch = 8
    @Option(help: "Training batch rows.") var trainBatch = 64
    @Option(help: "Training window length.") var trainSeq = 128
    @Option(help: "Timed training steps.") var trainSteps = 5
    @Option(help: "Threads for the matrix products while training.") var trainThreads = 2
    @Option(help: "Training precisions to time, comma-separated (fp32, bf16).", transform: { text in
        try text.split(separator: ",").map {
            guard let precision = TrainingPrecision(rawValue: String($0)) else { throw ValidationError("unknown precision '\($0)': use fp32 or bf16") }
            return precision
        }
    }) var trainPrecision: [TrainingPrecision] = TrainingPrecision.allCases
    @Flag(help: "Print one JSON object with the figures and the kernels.") var json = false

    func run() throws {
        if !json { noteIfDebugBuild(release: "`swift run -c release continuo bench model`") }
        var o = ModelBenchmark.Options()
        o.vocab = vocab; o.embed = shape.embed; o.hidden = shape.hidden; o.layers = shape.layers; o.steps = steps; o.batch = batch
        o.trainBatch = trainBatch; o.trainSequence = trainSeq; o.trainSteps = trainSteps; o.trainThreads = trainThreads
        o.trainPrecisions = trainPrecision; o.json = json
        try ModelBenchmark(options: o).run()
    }
}

struct BenchGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Events per second generating N variations x E events with a model, batched vs one at a time.")

    @Option(help: "Model file (default: the bundled model).") var model: String?
    @Option(help: "Variations.") var variations = 8
    @Option(help: "Events per variation.") var events = 1000
    @Option(help: "Timed repetitions; the median is reported.") var rounds = 3

    func run() throws {
        noteIfDebugBuild(release: "`swift run -c release continuo bench generate`")
        do {
            guard let path = model ?? ModelStore.defaultModelPath() else { throw CLIError("no model: pass --model FILE") }
            let loaded = try ModelStore.load(path)
            MathThreads.set(1)
            let generator = Generator(inference: LSTMInference(model: loaded, precision: .int8, maxBatch: variations))
            print("model \(path): \(loaded.configuration.layerCount) x \(loaded.configuration.hiddenSize), \(variations) variations x \(events) events, int8, 1 thread")
            var perMode: [String: Double] = [:]
            for batched in [true, false] {
                var options = Generator.Options()
                options.variations = variations
                options.length = .events(events)
                options.batched = batched
                options.sampler.allowEnd = false
                var times: [Double] = []
                for round in 0..<rounds {
                    options.seed = UInt64(round + 1)
                    let started = Date()
                    let results = try generator.generate(primerTokens: [1], options: options)
                    times.append(Date().timeIntervalSince(started) / Double(results.reduce(0) { $0 + $1.tokens.count }))
                }
                let median = times.sorted()[times.count / 2]
                perMode[batched ? "batched" : "sequential"] = median
                print("\(batched ? "batched   " : "one at a time"): \(Int(1 / median)) events/s (\(Inspection.fixedString(median * 1e6, 1)) us per event, median of \(rounds))")
            }
            if let b = perMode["batched"], let s = perMode["sequential"] {
                print("batched is \(Inspection.fixedString(s / b, 2))x faster per event; vs the tutorial way (Keras model.predict on a 64-event window, 76 ms per event): \(Int(0.076 / b))x")
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(error)
        }
    }
}

struct BenchLatency: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Latency and soak harness: a private JACK server, the daemon, and a test client that plays into it and listens.",
        discussion: "Prints input-to-first-response latency percentiles, pass-through latency, stuck notes, xruns, dropped and late events, and the daemon's memory.")

    @Option(help: "Preset for the daemon.") var preset = "midi-effect"
    @Option(help: "Model file (default: the bundled model).") var model: String?
    @Option(help: "How long to play, in seconds (600 for the soak).") var seconds = 20.0
    @Option(help: "Input notes per second.") var notesPerSecond = 20.0
    @Option(help: "Turn the temperature knob every this many seconds (0: never).") var controlEvery = 1.0
    @Option(help: "Channel (1-16) the machine answers on, as in the preset.") var machineChannel = 2
    @Option(help: "The daemon's control socket (default: a temporary one).") var socket: String?
    @Flag(help: "JSON output.") var json = false
    @Option(name: .customLong("host"), help: "Instead of the daemon, run this plugin host (one argument per --host, e.g. --host /usr/bin/jalv --host=-x --host URI).")
    var host: [String] = []
    @Option(name: .customLong("host-env"), help: "KEY=VALUE in the host's environment (repeatable).") var hostEnvironment: [String] = []
    @Option(help: "A line for the host's console halfway through (jalv: \"mode = 0\").") var midwayLine: String?
    @Option(name: .customLong("daemon-arg"), help: "One more argument for the daemon (repeatable), e.g. --daemon-arg=--web --daemon-arg=127.0.0.1:8750.")
    var daemonArguments: [String] = []

    func run() throws {
        noteIfDebugBuild(release: "`swift build -c release` and .build/release/continuo")
        var options = LatencyHarness.Options(executable: URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path)
        options.preset = preset
        options.model = model
        options.seconds = seconds
        options.notesPerSecond = notesPerSecond
        options.controlEvery = controlEvery
        options.machineChannel = UInt8(max(1, min(16, machineChannel)) - 1)
        options.socket = socket
        options.daemonArguments = daemonArguments
        if !host.isEmpty {
            options.host = host
            options.hostEnvironment = Dictionary(hostEnvironment.compactMap { pair -> (String, String)? in
                guard let eq = pair.firstIndex(of: "=") else { return nil }
                return (String(pair[..<eq]), String(pair[pair.index(after: eq)...]))
            }) { $1 }
            options.midwayLine = midwayLine
        }
        let result: LatencyHarness.Result
        do {
            result = try LatencyHarness(options: options).run { print($0) }
        } catch {
            throw CLIError(error)
        }
        if json {
            var copy = result
            if host.isEmpty { copy.daemonLog = "" }   // a plugin host's log says what the plugin logged
            print(try JSONOutput.string(copy))
            return
        }
        let ms = { (frames: Int) in Inspection.fixedString(Double(frames) / Double(result.sampleRate) * 1000, 2) }
        print("input notes \(result.inputNotes), answered \(result.responded), events heard \(result.receivedEvents)")
        if let r = result.responseLatencyFrames {
            print("input -> first response (frames): p50 \(r.p50), p99 \(r.p99), p99.9 \(r.p999), max \(r.max)  (ms: p50 \(ms(r.p50)), p99.9 \(ms(r.p999)); one period = \(result.period) frames = \(ms(result.period)) ms)")
        }
        if let p = result.passThroughLatencyFrames {
            print("pass-through (frames): p50 \(p.p50), p99.9 \(p.p999), max \(p.max)")
        }
        let d = result.daemonReport
        print("stuck notes \(result.stuckNotes); xruns while playing \(result.xrunsDuringPlay) (all told, incl. connecting: \(result.harnessXruns / 2));  daemon dropped inputs \(d["droppedInputs"] ?? -1), dropped outputs \(d["droppedOutputs"] ?? -1), late outputs \(d["lateOutputs"] ?? -1) (max \(d["lateMaxFrames"] ?? -1) frames late)")
        print("daemon memory: \(result.rssStartKB) kB at start, \(result.rssEndKB) kB at end (growth \(result.rssEndKB - result.rssStartKB) kB); exit status \(result.daemonExitStatus)")
    }
}

/// Figures from a debug build are several times too slow; say so before printing any.
private func noteIfDebugBuild(release: String) {
    #if DEBUG
    print("note: this is a debug build; use \(release) for real figures")
    #endif
}

struct BenchMusicianship: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "musicianship",
        abstract: "Tempo, key and motif following on scripted performances of the sample pieces, through the engine on an injected clock.")

    @Option(help: "Model file (default: the bundled model).") var model: String?
    @Option(help: "Folder of the sample pieces.") var samples = "data/sample"
    @Option(help: "Seeds (jitter draws, answers) per piece.") var seeds = 3
    @Option(help: "Timing jitter of the scripted player, in milliseconds (standard deviation).") var jitter = 10.0
    @Option(help: "Parts to run, comma-separated: tempo, key, motifs.") var parts = "tempo,key,motifs"

    func run() throws {
        do {
            guard let path = model ?? ModelStore.defaultModelPath() else { throw CLIError("no model: pass --model FILE") }
            MathThreads.set(1)
            let inference = LSTMInference(model: try ModelStore.load(path), precision: .int8)
            var options = MusicianshipBenchmark.Options()
            options.samples = samples
            options.seeds = seeds
            options.jitterSeconds = jitter / 1000
            options.parts = Set(parts.split(separator: ",").map(String.init))
            print("model \(path)")
            try MusicianshipBenchmark(options: options, inference: inference).run { print($0) }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(error)
        }
    }
}
