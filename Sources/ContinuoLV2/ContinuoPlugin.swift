import CLV2
import ContinuoDaemon
import ContinuoJACK
import ContinuoMIDI
import ContinuoParameters
import Foundation
import Synchronization

/// One plugin instance: the daemon's `Instance` (engine, worker, presets) on an `LV2Session`.
/// `run()` only moves events between the host's buffers and lock-free rings and renders the
/// scheduler at exact frames; the worker thread, started on `activate`, runs the model. Without
/// a usable model it says why in the host's log and passes MIDI through.
final class ContinuoPlugin: @unchecked Sendable {
    let session: LV2Session?
    let instance: Instance?
    let urids: UnsafeMutablePointer<continuo_lv2_urids>
    let sequenceType: LV2_URID
    let pathType: LV2_URID
    let stringType: LV2_URID
    let modelKey: LV2_URID
    let presetKey: LV2_URID
    let log: UnsafePointer<LV2_Log_Log>?
    let bundlePath: String
    private var worker: Thread?
    private let workerDone = Atomic<Bool>(true)

    // Ports (connect_port), then state of the audio thread only.
    var input: UnsafePointer<LV2_Atom_Sequence>?
    var output: UnsafeMutablePointer<LV2_Atom_Sequence>?
    var enabled: UnsafePointer<Float>?
    let controls: UnsafeMutablePointer<UnsafePointer<Float>?>
    /// PluginLayout.controls.count, read once here: the first touch of a global initialises it
    /// (a lock and an allocation), which must not happen in run().
    let controlCount: Int
    let lastControls: UnsafeMutablePointer<Float>
    let rendered = MIDICaptureBuffer(capacity: 2048)
    /// Input passed through untouched (bypass, or no model): frame offset and bytes.
    let raw: UnsafeMutablePointer<CapturedMIDI>
    let rawCapacity = 1024
    let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 4)
    var frames: Int64 = 0
    var wasEnabled = true
    var wasRolling = false
    var owesPanic = false

    init(sampleRate: Double, bundlePath: String, features: UnsafePointer<UnsafePointer<LV2_Feature>?>?) throws {
        guard let map = continuo_lv2_feature(features, continuo_lv2_uri_map())?.assumingMemoryBound(to: LV2_URID_Map.self) else {
            throw PluginError("the host offers no urid:map")
        }
        self.bundlePath = bundlePath
        log = continuo_lv2_feature(features, continuo_lv2_uri_log())?.assumingMemoryBound(to: LV2_Log_Log.self)
        urids = .allocate(capacity: 1)
        urids.initialize(to: continuo_lv2_urids())
        continuo_lv2_map_urids(map, urids)
        sequenceType = map.pointee.map(map.pointee.handle, continuo_lv2_uri_sequence())
        pathType = map.pointee.map(map.pointee.handle, continuo_lv2_uri_path())
        stringType = map.pointee.map(map.pointee.handle, continuo_lv2_uri_string())
        modelKey = map.pointee.map(map.pointee.handle, PluginLayout.stateModelKey)
        presetKey = map.pointee.map(map.pointee.handle, PluginLayout.statePresetKey)
        controlCount = PluginLayout.controls.count
        controls = .allocate(capacity: PluginLayout.controls.count)
        controls.initialize(repeating: nil, count: PluginLayout.controls.count)
        lastControls = .allocate(capacity: PluginLayout.controls.count)
        lastControls.initialize(repeating: .nan, count: PluginLayout.controls.count)
        raw = .allocate(capacity: rawCapacity)

        let rate = Int(sampleRate.rounded())
        var made: (LV2Session, Instance)? = nil
        do {
            let preset = try Self.preset(named: PluginLayout.defaultPreset, bundle: bundlePath)
            let model = bundlePath + "/default.safetensors"
            let session = LV2Session(sampleRate: rate)
            let options = Daemon.Options(preset: preset.preset, presetPath: preset.path, modelPath: model, jackServer: nil)
            let instance = try Instance(name: "lv2", options: options, log: Log(minimum: .warning)) { session }
            made = (session, instance)
        } catch {
            continuo_lv2_log(log, urids.pointee.log_error, "no model to play (\(error)); passing MIDI through")
        }
        session = made?.0
        instance = made?.1
    }

    deinit {
        stopWorker()
        urids.deallocate()
        controls.deallocate()
        lastControls.deallocate()
        raw.deallocate()
        scratch.deallocate()
    }

    /// The bundle's copy of a preset, else the installation's.
    static func preset(named name: String, bundle: String) throws -> (preset: Preset, path: String) {
        let inBundle = bundle + "/presets/\(name).toml"
        if FileManager.default.fileExists(atPath: inBundle) { return try PresetLoader.load(nameOrPath: inBundle) }
        return try PresetLoader.load(nameOrPath: name)
    }

    // MARK: Non-real-time calls

    func activate() {
        owesPanic = true   // notes the last activation could not end (run() stops with deactivate)
        guard let instance else { return }
        instance.clearStop()
        workerDone.store(false, ordering: .releasing)
        let thread = Thread { [self] in
            _ = instance.run()
            workerDone.store(true, ordering: .releasing)
        }
        thread.name = "continuo-lv2"
        worker = thread
        thread.start()
    }

    func deactivate() { stopWorker() }

    private func stopWorker() {
        instance?.requestStop()
        let deadline = Date().addingTimeInterval(5)
        while !workerDone.load(ordering: .acquiring), Date() < deadline { usleep(1_000) }
        worker = nil
    }

    func logNote(_ text: String) { continuo_lv2_log(log, urids.pointee.log_note, text) }
    func logError(_ text: String) { continuo_lv2_log(log, urids.pointee.log_error, text) }

    // MARK: The audio thread

    /// Moves one block: input events into the worker's ring (or straight through), control
    /// changes into theirs, the scheduler's due events into the output at their frames.
    ///
    /// Real-time safe: the scheduler's render is compile-time checked (`@_noAllocation
    /// @_noLocks`) in its module; this joint calls methods on class instances, which the checker
    /// counts as reference counting, so the whole of it is checked at run time instead: jalv's
    /// process callback with the allocation probe preloaded (LV2PluginTests) sees no allocation
    /// and no lock.
    func run(_ count: UInt32) {
        let n = Int(count)
        let start = frames
        let isEnabled = enabled.map { $0.pointee >= 0.5 } ?? true
        if let session {
            if owesPanic {
                owesPanic = false
                session.scheduler.panic()
            }
            if wasEnabled, !isEnabled {
                session.scheduler.flush()   // bypass: the machine's notes end now
                session.scheduler.panic()
            }
        }
        wasEnabled = isEnabled
        let playing = isEnabled && session != nil

        var rawCount = 0
        if let input {
            var event = continuo_lv2_event()
            var previous: UnsafePointer<LV2_Atom_Event>? = nil
            while let next = continuo_lv2_next(input, previous, urids, &event) {
                previous = next
                if event.kind == 1 {
                    let bytes = MIDIBytes(status: event.bytes.0, data1: event.bytes.1, data2: event.bytes.2, count: UInt8(event.length))
                    if playing, let session {
                        if !session.inputs.push(TimedMIDI(frame: start &+ event.frame, bytes: bytes)) {
                            session.droppedInputCount.wrappingAdd(1, ordering: .relaxed)
                        }
                    } else if rawCount < rawCapacity {
                        raw[rawCount] = CapturedMIDI(frame: start &+ event.frame, offset: Int(event.frame), bytes: bytes)
                        rawCount &+= 1
                    }
                } else if event.kind == 2, let session {
                    receivePosition(event, at: start &+ event.frame, session: session)
                }
            }
        }
        if let session {
            var i = 0
            while i < controlCount {
                if let port = controls[i] {
                    let value = port.pointee
                    if value != lastControls[i] {
                        lastControls[i] = value
                        _ = session.controlChanges.push(LV2Session.ControlChange(index: Int32(i), value: value))
                    }
                }
                i &+= 1
            }
        }
        if let output {
            let capacity = continuo_lv2_clear(output)
            continuo_lv2_set_type(output, sequenceType)
            rendered.removeAll()
            if let session {
                var writer = rendered.writer(cycleStart: start, frames: n)
                session.scheduler.render(into: &writer, cycleStart: start)
            }
            // Both are in frame order: merge them.
            var a = 0, b = 0
            let renderedCount = rendered.count
            while a < renderedCount || b < rawCount {
                let event: CapturedMIDI
                if b >= rawCount || (a < renderedCount && rendered[a].offset <= raw[b].offset) {
                    event = rendered[a]; a &+= 1
                } else {
                    event = raw[b]; b &+= 1
                }
                append(event, to: output, capacity: capacity)
            }
        }
        if let session {
            session.cycleStart.store(start, ordering: .releasing)
            session.cycleFrames.store(n, ordering: .releasing)
        }
        frames = start &+ Int64(n)
    }

    private func append(_ event: CapturedMIDI, to output: UnsafeMutablePointer<LV2_Atom_Sequence>, capacity: UInt32) {
        // A preallocated scratch, not a tuple: a debug build instantiates a tuple's type
        // metadata on first use, which allocates and locks.
        scratch[0] = event.bytes.status
        scratch[1] = event.bytes.data1
        scratch[2] = event.bytes.data2
        _ = continuo_lv2_append_midi(output, capacity, urids.pointee.midi_event, Int64(event.offset), scratch, UInt32(event.bytes.count))
    }

    /// time:Position: the beat is extrapolated by the session to the worker's now; a transport
    /// that stops ends the machine's notes.
    private func receivePosition(_ event: continuo_lv2_event, at frame: Int64, session: LV2Session) {
        if event.fields & 8 != 0 {
            let rolling = event.speed != 0
            if wasRolling, !rolling { session.scheduler.flush() }
            wasRolling = rolling
            session.transportRolling.store(rolling, ordering: .relaxed)
        }
        if event.fields & 1 != 0 { session.transportBPM.store(event.bpm.bitPattern, ordering: .relaxed) }
        if event.fields & 6 == 6 {
            let perBar = event.fields & 16 != 0 ? event.beats_per_bar : 4
            session.transportBeat.store((event.bar * perBar + event.bar_beat).bitPattern, ordering: .relaxed)
            session.transportFrame.store(frame, ordering: .relaxed)
        }
        if event.fields & 1 != 0 { session.transportKnown.store(true, ordering: .releasing) }
    }
}

struct PluginError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
