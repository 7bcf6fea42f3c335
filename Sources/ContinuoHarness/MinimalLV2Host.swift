import CLV2
import ContinuoMIDI
import ContinuoParameters
import Foundation

/// The URID map and state store of `MinimalLV2Host`: C callbacks, so their tables are globals.
nonisolated(unsafe) private var uridTable: [String: UInt32] = [:]
nonisolated(unsafe) private var savedState: [UInt32: String] = [:]

/// Just enough of an LV2 host to drive continuo.lv2 in this process, without JACK: loads the
/// bundle's library, instantiates it with urid:map, connects its ports and calls `run()` block by
/// block with MIDI and time:Position in, MIDI out; saves its state. For tests and `bench lv2`
/// (a DAW's view of the plugin, one block at a time). One instance at a time per process.
public final class MinimalLV2Host {
    public let sampleRate: Int
    private let descriptor: UnsafePointer<LV2_Descriptor>
    private let handle: LV2_Handle
    private let map: UnsafeMutablePointer<LV2_URID_Map>
    private let urids: UnsafeMutablePointer<continuo_lv2_urids>
    private let sequenceType: LV2_URID
    private let input: UnsafeMutableRawPointer
    private let output: UnsafeMutableRawPointer
    private let capacity = 16_384
    private let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 4)
    /// enabled, then one float per control in PluginLayout order (NaN: not connected).
    private let controls: UnsafeMutablePointer<Float>
    private var active = false

    public struct HostError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(bundle: String, sampleRate: Int = 48_000) throws {
        self.sampleRate = sampleRate
        guard let library = dlopen(bundle + "/libContinuoLV2.so", RTLD_NOW) else {
            throw HostError(description: "cannot load \(bundle)/libContinuoLV2.so: \(String(cString: dlerror()))")
        }
        typealias Entry = @convention(c) (UInt32) -> UnsafePointer<LV2_Descriptor>?
        guard let symbol = dlsym(library, "lv2_descriptor"), let descriptor = unsafeBitCast(symbol, to: Entry.self)(0) else {
            throw HostError(description: "\(bundle) has no lv2_descriptor")
        }
        self.descriptor = descriptor
        map = .allocate(capacity: 1)
        map.initialize(to: LV2_URID_Map(handle: nil, map: { _, uri in
            let key = String(cString: uri!)
            if let id = uridTable[key] { return id }
            let id = UInt32(uridTable.count + 1)
            uridTable[key] = id
            return id
        }))
        urids = .allocate(capacity: 1)
        urids.initialize(to: continuo_lv2_urids())
        continuo_lv2_map_urids(map, urids)
        sequenceType = map.pointee.map(nil, continuo_lv2_uri_sequence())
        let feature = UnsafeMutablePointer<LV2_Feature>.allocate(capacity: 1)
        feature.initialize(to: LV2_Feature(URI: continuo_lv2_uri_map(), data: UnsafeMutableRawPointer(map)))
        let features = UnsafeMutablePointer<UnsafePointer<LV2_Feature>?>.allocate(capacity: 2)
        features[0] = UnsafePointer(feature)
        features[1] = nil
        defer { feature.deallocate(); features.deallocate() }
        guard let handle = descriptor.pointee.instantiate(descriptor, Double(sampleRate), bundle, features) else {
            throw HostError(description: "the plugin refused to instantiate")
        }
        self.handle = handle
        input = .allocate(byteCount: capacity, alignment: 16)
        output = .allocate(byteCount: capacity, alignment: 16)
        controls = .allocate(capacity: 1 + PluginLayout.controls.count)
        controls.initialize(repeating: .nan, count: 1 + PluginLayout.controls.count)
        controls[0] = 1
        let d = descriptor.pointee
        d.connect_port(handle, PluginLayout.eventsIn, input)
        d.connect_port(handle, PluginLayout.eventsOut, output)
        d.connect_port(handle, PluginLayout.enabled, controls)
    }

    deinit {
        if active { descriptor.pointee.deactivate(handle) }
        descriptor.pointee.cleanup(handle)
        // No dlclose: the Swift runtime keeps the library's type and conformance records for
        // the life of the process, and looks through them again later.
        input.deallocate()
        output.deallocate()
        controls.deallocate()
        bytes.deallocate()
        urids.deallocate()
        map.deallocate()
    }

    /// The host's bypass (`lv2:enabled`).
    public var enabled: Bool {
        get { controls[0] >= 0.5 }
        set { controls[0] = newValue ? 1 : 0 }
    }

    /// Connects (first time) and sets a control port, as a DAW's knob would.
    public func set(_ parameter: Parameter, _ value: ParameterValue) {
        guard let index = PluginLayout.controls.firstIndex(of: parameter) else { return }
        let slot = controls + 1 + index
        if slot.pointee.isNaN {
            descriptor.pointee.connect_port(handle, PluginLayout.firstControl + UInt32(index), slot)
        }
        slot.pointee = Float(parameter.controlNumber(of: value))
    }

    public func activate() {
        descriptor.pointee.activate(handle)
        active = true
    }

    public func deactivate() {
        descriptor.pointee.deactivate(handle)
        active = false
    }

    public struct Position {
        public var bpm: Float
        public var rolling: Bool
        public var bar: Int64
        public var barBeat: Float
        public init(bpm: Float, rolling: Bool, bar: Int64 = 0, barBeat: Float = 0) {
            self.bpm = bpm
            self.rolling = rolling
            self.bar = bar
            self.barBeat = barBeat
        }
    }

    /// One block: `events` (offset in the block, message) and a transport position in; what the
    /// plugin wrote out, in order.
    public func run(frames: Int, events: [(offset: Int, bytes: MIDIBytes)] = [], position: Position? = nil) -> [(offset: Int, bytes: MIDIBytes)] {
        fill(events, position: position)
        descriptor.pointee.run(handle, UInt32(frames))
        return written()
    }

    /// The same, with the thread's CPU time in the plugin's `run()` alone, in microseconds.
    public func runTimed(frames: Int, events: [(offset: Int, bytes: MIDIBytes)] = []) -> (cpuMicroseconds: Double, out: [(offset: Int, bytes: MIDIBytes)]) {
        fill(events, position: nil)
        var before = timespec(), after = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before)
        descriptor.pointee.run(handle, UInt32(frames))
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after)
        let microseconds = Double(after.tv_sec - before.tv_sec) * 1e6 + Double(after.tv_nsec - before.tv_nsec) / 1e3
        return (microseconds, written())
    }

    private func fill(_ events: [(offset: Int, bytes: MIDIBytes)], position: Position?) {
        let inSeq = input.assumingMemoryBound(to: LV2_Atom_Sequence.self)
        continuo_lv2_reset_input(inSeq, sequenceType)
        if let position {
            _ = continuo_lv2_append_position(inSeq, UInt32(capacity), map, urids, 0, position.bpm, position.rolling ? 1 : 0,
                                             position.bar, position.barBeat, 4)
        }
        for event in events {
            bytes[0] = event.bytes.status
            bytes[1] = event.bytes.data1
            bytes[2] = event.bytes.data2
            _ = continuo_lv2_append_midi(inSeq, UInt32(capacity), urids.pointee.midi_event, Int64(event.offset), bytes, UInt32(event.bytes.count))
        }
        // The host says how much room the output has; the plugin writes its sequence there.
        output.assumingMemoryBound(to: LV2_Atom_Sequence.self).pointee.atom.size = UInt32(capacity - MemoryLayout<LV2_Atom>.size)
    }

    private func written() -> [(offset: Int, bytes: MIDIBytes)] {
        var out: [(offset: Int, bytes: MIDIBytes)] = []
        var event = continuo_lv2_event()
        var previous: UnsafePointer<LV2_Atom_Event>? = nil
        while let next = continuo_lv2_next(output.assumingMemoryBound(to: LV2_Atom_Sequence.self), previous, urids, &event) {
            previous = next
            if event.kind == 1 {
                out.append((Int(event.frame), MIDIBytes(status: event.bytes.0, data1: event.bytes.1, data2: event.bytes.2, count: UInt8(event.length))))
            }
        }
        return out
    }

    /// The plugin's saved state (LV2 state extension), by key URI.
    public func save() -> [String: String] {
        guard let extensionData = descriptor.pointee.extension_data,
              let raw = extensionData(continuo_lv2_uri_state_interface()) else { return [:] }
        let state = raw.assumingMemoryBound(to: LV2_State_Interface.self).pointee
        savedState = [:]
        _ = state.save(handle, { _, key, value, size, _, _ in
            guard let value, size > 0 else { return LV2_STATE_ERR_UNKNOWN }
            savedState[key] = String(cString: value.assumingMemoryBound(to: CChar.self))
            return LV2_STATE_SUCCESS
        }, nil, 0, nil)
        var byURI: [String: String] = [:]
        for (uri, id) in uridTable { if let value = savedState[id] { byURI[uri] = value } }
        return byURI
    }
}
