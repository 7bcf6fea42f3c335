import ArgumentParser
import CLV2
import ContinuoMIDI
import ContinuoParameters
import Foundation

/// The URID map of the benchmark's host: a C callback, so its table is a global.
nonisolated(unsafe) private var uridTable: [String: UInt32] = [:]

struct BenchLV2: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lv2",
        abstract: "CPU time per run() of the LV2 plugin at 48 kHz / 128 frames while it answers (this process is a minimal host; the worker thread runs as in a DAW).")

    @Option(help: "The installed bundle (continuo lv2 install).") var bundle = (NSHomeDirectory() as NSString).appendingPathComponent(".lv2/continuo.lv2")
    @Option(help: "Seconds to play, in real time.") var seconds = 10.0
    @Option(help: "Notes per second played into it.") var notesPerSecond = 8.0

    func run() throws {
        guard let library = dlopen(bundle + "/libContinuoLV2.so", RTLD_NOW) else {
            throw CLIError("cannot load \(bundle)/libContinuoLV2.so: \(String(cString: dlerror()))")
        }
        defer { dlclose(library) }
        typealias Entry = @convention(c) (UInt32) -> UnsafePointer<LV2_Descriptor>?
        guard let symbol = dlsym(library, "lv2_descriptor"), let descriptor = unsafeBitCast(symbol, to: Entry.self)(0) else {
            throw CLIError("\(bundle) has no lv2_descriptor")
        }
        let d = descriptor.pointee
        var map = LV2_URID_Map(handle: nil, map: { _, uri in
            let key = String(cString: uri!)
            if let id = uridTable[key] { return id }
            let id = UInt32(uridTable.count + 1)
            uridTable[key] = id
            return id
        })
        var urids = continuo_lv2_urids()
        continuo_lv2_map_urids(&map, &urids)
        let sequenceType = map.map(nil, continuo_lv2_uri_sequence())
        var feature = LV2_Feature(URI: continuo_lv2_uri_map(), data: withUnsafeMutablePointer(to: &map) { UnsafeMutableRawPointer($0) })
        let features = UnsafeMutablePointer<UnsafePointer<LV2_Feature>?>.allocate(capacity: 2)
        defer { features.deallocate() }
        let rate = 48_000, period = 128
        guard let handle = withUnsafePointer(to: &feature, { f -> LV2_Handle? in
            features[0] = f
            features[1] = nil
            return d.instantiate(descriptor, Double(rate), bundle, features)
        }) else { throw CLIError("the plugin refused to instantiate") }
        defer { d.cleanup(handle) }

        let capacity = 16_384
        let input = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        let output = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { input.deallocate(); output.deallocate() }
        let inSeq = input.assumingMemoryBound(to: LV2_Atom_Sequence.self)
        let outSeq = output.assumingMemoryBound(to: LV2_Atom_Sequence.self)
        var enabled: Float = 1
        var mode = Float(Parameter.mode.controlNumber(of: .choice("effect")))
        var channel: Float = 2
        d.connect_port(handle, PluginLayout.eventsIn, input)
        d.connect_port(handle, PluginLayout.eventsOut, output)
        d.connect_port(handle, PluginLayout.enabled, &enabled)
        d.connect_port(handle, PluginLayout.firstControl + UInt32(PluginLayout.controls.firstIndex(of: .mode)!), &mode)
        d.connect_port(handle, PluginLayout.firstControl + UInt32(PluginLayout.controls.firstIndex(of: .outputChannel)!), &channel)
        d.activate(handle)

        let cycles = Int(seconds * Double(rate) / Double(period))
        let gap = max(1, Int(Double(rate) / notesPerSecond / Double(period)))
        var cpu: [Double] = [], wall: [Double] = []
        cpu.reserveCapacity(cycles)
        wall.reserveCapacity(cycles)
        var answers = 0, played = 0
        var next = timespec()
        clock_gettime(CLOCK_MONOTONIC, &next)
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 3)
        defer { bytes.deallocate() }
        for cycle in 0..<cycles {
            continuo_lv2_reset_input(inSeq, sequenceType)
            let pitch = UInt8(48 + (cycle / gap * 5) % 36)
            if cycle % gap == 0 || cycle % gap == gap / 2 {
                let on = cycle % gap == 0
                bytes[0] = on ? 0x90 : 0x80
                bytes[1] = pitch
                bytes[2] = on ? 90 : 0
                _ = continuo_lv2_append_midi(inSeq, UInt32(capacity), urids.midi_event, 17, bytes, 3)
                if on { played += 1 }
            }
            outSeq.pointee.atom.size = UInt32(capacity - MemoryLayout<LV2_Atom>.size)
            var cpu0 = timespec(), cpu1 = timespec(), wall0 = timespec(), wall1 = timespec()
            clock_gettime(CLOCK_MONOTONIC, &wall0)
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0)
            d.run(handle, UInt32(period))
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1)
            clock_gettime(CLOCK_MONOTONIC, &wall1)
            cpu.append(Self.microseconds(cpu1) - Self.microseconds(cpu0))
            wall.append(Self.microseconds(wall1) - Self.microseconds(wall0))
            var event = continuo_lv2_event()
            var previous: UnsafePointer<LV2_Atom_Event>? = nil
            while let e = continuo_lv2_next(outSeq, previous, &urids, &event) {
                previous = e
                if event.kind == 1, event.bytes.0 & 0xF0 == 0x90, event.bytes.0 & 0x0F == 1, event.bytes.2 > 0 { answers += 1 }
            }
            // Real-time pacing: the worker thread needs the time a period gives it.
            next.tv_nsec += period * 1_000_000_000 / rate
            if next.tv_nsec >= 1_000_000_000 { next.tv_sec += 1; next.tv_nsec -= 1_000_000_000 }
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nil)
        }
        d.deactivate(handle)
        func summary(_ values: [Double]) -> String {
            let s = values.sorted()
            func at(_ p: Double) -> String { String(format: "%.1f", s[min(s.count - 1, Int(Double(s.count) * p))]) }
            return "p50 \(at(0.5)) µs, p99 \(at(0.99)) µs, max \(String(format: "%.1f", s.last ?? 0)) µs"
        }
        print("LV2 run() at \(rate) Hz / \(period) frames, \(cycles) calls, \(played) notes in, \(answers) machine notes out (budget per call \(String(format: "%.0f", Double(period) / Double(rate) * 1e6)) µs)")
        print("CPU time per run(): \(summary(cpu))")
        print("wall time per run(): \(summary(wall))")
    }

    static func microseconds(_ t: timespec) -> Double { Double(t.tv_sec) * 1e6 + Double(t.tv_nsec) / 1e3 }
}
