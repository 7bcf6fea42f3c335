import ContinuoMIDI
import ContinuoEncoding
import ContinuoModel
import ContinuoSampling
@testable import ContinuoEngine

/// A tiny random-weight model: it plays noise, which is what hygiene tests want.
func tinyInference(seed: UInt64 = 7) -> LSTMInference {
    let configuration = LSTMConfiguration(vocabularySize: Vocabulary.size, embeddingSize: 16, hiddenSize: 32, layerCount: 2)
    let model = try! LSTMModel(configuration: configuration, seed: seed)
    return LSTMInference(model: model, precision: .int8)
}

let period: Int64 = 128

/// The real-time side as the daemon's JACK client behaves: one queue ordered by frame (stable),
/// events written when their cycle is rendered; a flush drops generated events not yet written
/// and ends every generated note still sounding. It checks what it renders.
struct JackModel {
    let maxNoteFrames: Int64
    private(set) var queue: [OutputEvent] = []
    private(set) var rendered: [OutputEvent] = []
    private(set) var renderedUpTo: Int64 = 0
    /// Onset frames of sounding generated notes, by channel * 128 + pitch.
    private(set) var generated: [Int: Int64] = [:]
    private(set) var through: Set<Int> = []
    private(set) var violations: [String] = []
    private(set) var flushes = 0

    init(maxNoteFrames: Int64) { self.maxNoteFrames = maxNoteFrames }

    mutating func take(_ output: EngineOutput, now: Int64) {
        var previous = Int64.min
        for event in output.events {
            if event.frame < now { violations.append("event in the past: \(event) at now \(now)") }
            if event.frame < previous { violations.append("events out of order: \(event)") }
            previous = event.frame
        }
        if output.flush {
            flushes += 1
            queue.removeAll { $0.isGenerated && $0.frame >= output.flushFrame }
            let silence = generated.keys.sorted().map {
                OutputEvent(frame: max(output.flushFrame, renderedUpTo), bytes: .noteOff(channel: UInt8($0 / 128), pitch: UInt8($0 % 128)),
                            isGenerated: true)
            }
            for event in silence { enqueue(event) }
        }
        for event in output.events { enqueue(event) }
    }

    private mutating func enqueue(_ event: OutputEvent) {
        var index = queue.count
        while index > 0 && queue[index - 1].frame > event.frame { index -= 1 }
        queue.insert(event, at: index)
    }

    /// Writes every queued event before `frame`.
    mutating func render(until frame: Int64) {
        while let first = queue.first, first.frame < frame {
            queue.removeFirst()
            write(first)
        }
        renderedUpTo = max(renderedUpTo, frame)
    }

    private mutating func write(_ event: OutputEvent) {
        if let last = rendered.last, event.frame < last.frame { violations.append("rendered out of order: \(event)") }
        rendered.append(event)
        let key = Int(event.channel) * 128
        let p = event.bytes.data1
        if event.bytes.isNoteOn {
            if event.isGenerated {
                if generated[key + Int(p)] != nil { violations.append("duplicate note-on: \(event)") }
                generated[key + Int(p)] = event.frame
            } else {
                if through.contains(key + Int(p)) { violations.append("duplicate through note-on: \(event)") }
                through.insert(key + Int(p))
            }
        } else if event.bytes.isNoteOff {
            if event.isGenerated {
                if let onset = generated.removeValue(forKey: key + Int(p)), event.frame - onset > maxNoteFrames + period {
                    violations.append("note \(p) ch\(event.channel) from \(onset) lasted \(event.frame - onset) frames > \(maxNoteFrames) + a period")
                }
            } else {
                through.remove(key + Int(p))
            }
        }
    }

    /// Generated notes written so far that sound at `frame`.
    var soundingGenerated: Int { generated.count }
}

/// An engine driven by a fake clock in 128-frame periods, its output played by `JackModel`.
final class Rig {
    let engine: Engine
    var jack: JackModel
    private(set) var now: Int64 = 0
    /// Every output with the `now` it was returned at.
    private(set) var outputs: [(now: Int64, output: EngineOutput)] = []

    init(_ configuration: EngineConfiguration, seed: UInt64 = 1, inference: LSTMInference = tinyInference()) {
        engine = Engine(inference: inference, configuration: configuration, seed: seed)
        let maxFrames = Int64(configuration.maxNoteBeats * configuration.sampleRate * 60 / configuration.bpm)
        jack = JackModel(maxNoteFrames: maxFrames)
    }

    /// Advances to `frame` (rendering what lies before it first).
    @discardableResult
    func advance(to frame: Int64) -> EngineOutput {
        now = max(now, frame)
        jack.render(until: now)
        let output = engine.advance(to: now)
        jack.take(output, now: now)
        outputs.append((now, output))
        return output
    }

    /// Periods until `frame`, one advance each.
    func run(until frame: Int64) {
        var next = (now / period + 1) * period
        while next <= frame {
            advance(to: next)
            next += period
        }
    }

    /// An input at `frame`, then the advance the daemon makes right after it.
    @discardableResult
    func play(_ event: MIDIBytes, at frame: Int64) -> EngineOutput {
        run(until: frame)
        engine.receive(event, at: frame)
        return advance(to: frame)
    }

    func take(_ output: EngineOutput) {
        jack.take(output, now: now)
        outputs.append((now, output))
    }

    /// Every event handed out, flattened, with the `now` of its output.
    var events: [(now: Int64, event: OutputEvent)] {
        outputs.flatMap { item in item.output.events.map { (item.now, $0) } }
    }

    var generatedNoteOns: [OutputEvent] {
        events.map(\.event).filter { $0.bytes.isNoteOn && $0.isGenerated }
    }
}

/// Frames of `beats` at `bpm`, 48 kHz.
func frames(beats: Double, bpm: Double = 120) -> Int64 { Int64((beats * 48_000 * 60 / bpm).rounded()) }
