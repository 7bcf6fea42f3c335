import ArgumentParser
import ContinuoEncoding
import ContinuoMIDI
import ContinuoModel
import ContinuoOffline
import ContinuoParameters
import ContinuoSampling
import Foundation

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a phrase: write MIDI files the model plays after a primer.",
        discussion: """
        The primer comes from --primer FILE.mid (optionally --from/--to beats) or is picked from a corpus \
        folder with --primer-corpus DIR (a window that is neither silent, too sparse, nor the very start or \
        end of a piece); with neither, the model starts from nothing. All --variations are computed as one \
        batch. Every output file closes every note.
        """)

    @Option(help: "Model file (default: the bundled model).") var model: String?
    @Option(help: "MIDI file to continue, or a recording (transcribed with Basic Pitch first, cached beside it).") var primer: String?
    @Option(name: .customLong("from"), help: "Primer start, in beats.") var fromBeat: Double?
    @Option(name: .customLong("to"), help: "Primer end, in beats.") var toBeat: Double?
    @Option(help: "Pick a primer from this corpus folder.") var primerCorpus: String?
    @Option(help: "Primer length when picked from a corpus, in beats.") var primerBeats: Double = 16
    @Option(help: "Style to generate in (a name the model was trained with, e.g. piano-midi).") var style: String?

    @Option(help: "Length in beats.") var beats: Double?
    @Option(help: "Length in bars (of --beats-per-bar).") var bars: Double?
    @Option(help: "Length in seconds (at --tempo).") var seconds: Double?
    @Option(help: "Length in events (tokens).") var events: Int?
    @Option(help: "Tempo of the output in BPM (default: the primer's, else 120).") var tempo: Double?
    @Option(help: "Beats per bar.") var beatsPerBar = 4

    @Option(help: "Sampling temperature (0: always the likeliest event).") var temperature: Float = 1.0
    @Option(help: "Keep the k likeliest events (0: off).") var topK = 0
    @Option(help: "Keep the likeliest events up to this probability mass (1: off).") var topP: Float = 1.0
    @Option(help: "Penalty for pitches played recently (1: off; 1.1-1.3 breaks loops).") var repetitionPenalty: Float = 1.0
    @Option(help: "Forbid repeating any n-gram of events seen in the last 256 (0: off).") var noRepeatNgram = 0
    @Option(help: "Lowest-highest MIDI pitch allowed, e.g. 36-96.") var pitchRange: String?
    @Option(help: "Only pitches of this scale, e.g. \"D minor\", \"F# dorian\", \"C pentatonic-major\".") var scale: String?
    @Option(help: "At most this many notes at once (0: no limit).") var maxPolyphony = 0
    @Option(help: "No note longer than this many beats (0: no limit).") var maxNoteBeats: Double = 0

    @Option(help: "Number of variations.") var variations = 1
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Flag(help: "Leave the primer out of the output files.") var noPrimer = false
    @Flag(help: "Step variations one after another instead of as one batch (for comparison).") var sequential = false
    @Option(name: .shortAndLong, help: "Output: NAME.mid is written as is for one variation; otherwise PREFIX-1.mid, PREFIX-2.mid, ... (a trailing .mid is left out of the prefix).") var output = "generated"

    func validate() throws {
        guard variations >= 1, variations <= 64 else { throw ValidationError("--variations must be between 1 and 64") }
        guard [beats != nil, bars != nil, seconds != nil, events != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("give one of --beats, --bars, --seconds, --events")
        }
        let sampler: [(Parameter, ParameterValue)] = [
            (.temperature, .real(Double(temperature))), (.topK, .integer(topK)), (.topP, .real(Double(topP))),
            (.repetitionPenalty, .real(Double(repetitionPenalty))), (.noRepeatNgram, .integer(noRepeatNgram)),
            (.maxPolyphony, .integer(maxPolyphony)),
        ]
        for (parameter, value) in sampler where !parameter.accepts(value) {
            throw ValidationError("--\(parameter.name.replacingOccurrences(of: "_", with: "-")) must be \(parameter.domain.allowedDescription), got \(value)")
        }
        if let pitchRange, Self.parseRange(pitchRange) == nil { throw ValidationError("--pitch-range must look like 36-96 (0...127)") }
        if let scale, Scale(parsing: scale) == nil { throw ValidationError("unknown scale '\(scale)' (try \"C major\", \"A natural-minor\", \"D dorian\")") }
        if primer != nil, primerCorpus != nil { throw ValidationError("give --primer or --primer-corpus, not both") }
    }

    /// `-o out.mid` with one variation writes out.mid; several write out-1.mid, out-2.mid, ...
    /// (also for `-o out` or `-o out.mid`); one variation without `.mid` keeps PREFIX-1.mid.
    static func outputPath(_ output: String, variation: Int, of count: Int) -> String {
        let isMIDIName = output.lowercased().hasSuffix(".mid") && output.count > 4
        if count == 1, isMIDIName { return output }
        let prefix = isMIDIName ? String(output.dropLast(4)) : output
        return "\(prefix)-\(variation + 1).mid"
    }

    static func parseRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 0, parts[1] <= 127, parts[0] <= parts[1] else { return nil }
        return parts[0]...parts[1]
    }

    func run() throws {
        do {
            guard let path = model ?? ModelStore.defaultModelPath() else { throw CLIError("no model: pass --model FILE (models/default.safetensors was not found)") }
            let loaded = try ModelStore.load(path)
            var styleSlot: Int?
            if let style {
                let styles = ModelStore.styles(of: loaded)
                guard let slot = styles[style] else {
                    throw CLIError("the model knows no style '\(style)'; it knows: \(styles.keys.sorted().joined(separator: ", "))")
                }
                styleSlot = slot
            }
            let chosenPrimer: Primer?
            if let primer {
                chosenPrimer = try PrimerPicker.fromFile(try Self.midiPrimer(primer), fromBeats: fromBeat, toBeats: toBeat)
            } else if let primerCorpus {
                chosenPrimer = try PrimerPicker.fromCorpus(primerCorpus, beats: primerBeats, seed: seed)
            } else {
                chosenPrimer = nil
            }
            let bpm = tempo ?? chosenPrimer?.bpm ?? 120
            var options = Generator.Options()
            options.variations = variations
            options.seed = seed
            options.batched = !sequential
            if let events { options.length = .events(events) }
            else if let bars { options.length = .beats(bars * Double(beatsPerBar)) }
            else if let seconds { options.length = .beats(seconds * bpm / 60) }
            else { options.length = .beats(beats ?? 32) }
            options.sampler = samplerSettings()

            MathThreads.set(1)
            let inference = LSTMInference(model: loaded, precision: .int8, maxBatch: variations)
            let generator = Generator(inference: inference)
            let primerTokens = Generator.primerTokens(chosenPrimer, style: styleSlot)
            let started = Date()
            let results = try generator.generate(primerTokens: primerTokens, options: options)
            let elapsed = Date().timeIntervalSince(started)
            let folder = (output as NSString).deletingLastPathComponent
            if !folder.isEmpty { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            if let chosenPrimer { print("primer: \(chosenPrimer.source), \(chosenPrimer.notes.count) notes, \(Inspection.fixedString(Double(chosenPrimer.lengthSteps) / 12, 1)) beats") }
            for (i, variation) in results.enumerated() {
                let file = Self.outputPath(output, variation: i, of: results.count)
                let primerEnd = chosenPrimer?.lengthSteps ?? 0
                var parts: [NotesToMIDI.Part] = []
                var generatedNotes = variation.generatedNotes
                if noPrimer {
                    generatedNotes = generatedNotes.map { n in
                        QuantizedNote(pitch: n.pitch, velocity: n.velocity, onsetStep: n.onsetStep - primerEnd, offsetStep: n.offsetStep - primerEnd)
                    }
                } else if !variation.primerNotes.isEmpty {
                    parts.append(.init(name: "primer", notes: variation.primerNotes))
                }
                parts.append(.init(name: "continuo", notes: generatedNotes))
                let midi = NotesToMIDI.file(parts: parts, bpm: bpm, title: "Continuo: \((path as NSString).lastPathComponent), seed \(seed) #\(i + 1)",
                                            markerStep: noPrimer || chosenPrimer == nil ? nil : primerEnd, beatsPerBar: beatsPerBar)
                try FileBytes.write(MIDIFileWriter.write(midi), to: file)
                print("wrote \(file): \(generatedNotes.count) notes, \(variation.tokens.count) events, \(Inspection.fixedString(Double(variation.endStep - primerEnd) / 12, 1)) beats")
            }
            let total = results.reduce(0) { $0 + $1.tokens.count }
            print("\(total) events in \(Inspection.fixedString(elapsed, 2)) s (\(Int(Double(total) / max(elapsed, 1e-9))) events/s, \(sequential ? "one at a time" : "batched"))")
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(error)
        }
    }

    func samplerSettings() -> SamplerSettings {
        var s = SamplerSettings()
        s.allowEnd = false // the user asked for a length; a piece-ending token would cut it short
        s.temperature = temperature
        s.topK = topK
        s.topP = topP
        s.repetitionPenalty = repetitionPenalty
        s.noRepeatNGram = noRepeatNgram
        s.pitchRange = pitchRange.flatMap(Self.parseRange)
        s.scale = scale.flatMap { Scale(parsing: $0) }
        s.maxPolyphony = maxPolyphony
        s.maxNoteSteps = Int((maxNoteBeats * Double(Vocabulary.stepsPerBeat)).rounded())
        return s
    }

    /// A recording primes through its transcription, made once and kept beside it.
    static func midiPrimer(_ path: String) throws -> String {
        guard AudioTranscriber.isAudio(path) else { return path }
        let (paths, failures) = try TranscriptionCache.midiFiles(forAudio: [path]) { event in
            if case let .window(_, done, of) = event, done == 1 { FileHandle.standardError.write(Data("transcribing \(path) with Basic Pitch (\(of) windows)\n".utf8)) }
        }
        if let failure = failures.first { throw failure }
        guard let midi = paths[path] else { throw AudioTranscriber.TranscriptionError.failed(audio: path, reason: "no transcription came back") }
        return midi
    }
}
