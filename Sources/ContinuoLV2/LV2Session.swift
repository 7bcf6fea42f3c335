import ContinuoDaemon
import ContinuoJACK
import ContinuoMIDI
import ContinuoParameters
import ContinuoProtocol
import Synchronization

/// The plugin as the daemon's worker sees it: a MIDISession whose "callback" is the host's
/// `run()`. Input arrives stamped with the plugin's own sample count, control ports and the
/// host's transport come through lock-free rings and atomics, and output is the same scheduler,
/// rendered by `run()` at exact frames.
final class LV2Session: MIDISession, @unchecked Sendable {
    let scheduler = MIDIOutputScheduler()
    let inputs = SPSCRing<TimedMIDI>(capacity: 4096)
    let controlChanges = SPSCRing<ControlChange>(capacity: 512)
    let rate: Int
    /// The start and length of the latest `run()`, in the plugin's sample count.
    let cycleStart = Atomic<Int64>(0)
    let cycleFrames = Atomic<Int>(128)
    let droppedInputCount = Atomic<Int>(0)
    // The host's transport (time:Position), as of the latest run() that carried one.
    let transportKnown = Atomic<Bool>(false)
    let transportRolling = Atomic<Bool>(false)
    let transportBPM = Atomic<UInt64>(0)
    let transportBeat = Atomic<UInt64>(0)
    /// The frame the beat above was given for.
    let transportFrame = Atomic<Int64>(0)

    struct ControlChange: BitwiseCopyable {
        var index: Int32
        var value: Float
    }

    init(sampleRate: Int) { rate = sampleRate }

    var backend: Backend { .jack }
    var sampleRate: Int { rate }
    /// A nominal period for the engine's lengths; hosts vary the block size from call to call.
    var bufferSize: Int { 128 }
    var nextCycle: Int64 { cycleStart.load(ordering: .acquiring) &+ Int64(cycleFrames.load(ordering: .acquiring)) }
    var isGone: Bool { false }
    var xrunCount: Int { 0 }
    var droppedInputs: Int { droppedInputCount.load(ordering: .relaxed) }
    var droppedOutputs: Int { 0 }
    func popInput() -> TimedMIDI? { inputs.pop() }
    func housekeeping() -> [String] { [] }
    func close() {}

    func transportPosition() -> (rolling: Bool, bpm: Double, beat: Double)? {
        guard transportKnown.load(ordering: .acquiring) else { return nil }
        let rolling = transportRolling.load(ordering: .relaxed)
        let bpm = Double(bitPattern: transportBPM.load(ordering: .relaxed))
        var beat = Double(bitPattern: transportBeat.load(ordering: .relaxed))
        // Hosts send a position when it changes, not every block: carry it on to now.
        if rolling, bpm > 0 {
            beat += Double(nextCycle - transportFrame.load(ordering: .relaxed)) / Double(rate) * bpm / 60
        }
        return (rolling, bpm, beat)
    }

    func parameterChanges() -> [(Parameter, ParameterValue)] {
        var changes: [(Parameter, ParameterValue)] = []
        while let change = controlChanges.pop() {
            let parameter = PluginLayout.controls[Int(change.index)]
            changes.append((parameter, parameter.value(forControl: Double(change.value))))
        }
        return changes
    }

    func statusFields() -> [String: JSONValue] {
        ["running": true, "sample_rate": .int(rate), "host": "lv2"]
    }
}
