import Foundation
import Glibc
import Synchronization
import Testing
@testable import ContinuoJACK

/// Counts Swift heap allocations made on JACK's real-time threads while the full
/// process path runs: trampoline, output clearing, input iteration, writer, scheduler with
/// flush and panic.
///
/// How: the Swift runtime routes `swift_allocObject` through the exported hook pointer
/// `_swift_allocObject` when
/// `_swift_enableSwizzlingOfAllocationAndRefCountingFunctions_forInstrumentsOnly` is set. The
/// hooks count calls made on the two watched RT threads and forward everything. This sees every
/// Swift allocation (class instances, array/string storage, boxes, closure contexts), not C
/// `malloc` — libjack's MIDI calls don't allocate, and glibc 2.36 has no malloc hooks.
extension JackServerTests {
@Suite struct AllocationTests {
    @Test func realtimePathDoesNotAllocate() throws {
        let server = try JackTestServer()
        defer { server.stop() }
        let a = try JackClient(name: "alloc-player", server: server.name)
        let b = try JackClient(name: "alloc-echo", server: server.name)
        defer { a.close(); b.close() }
        let schedA = MIDIOutputScheduler(capacity: 2048)
        let schedB = MIDIOutputScheduler(capacity: 1024)
        let player = SchedulerPlayer(output: try a.registerMIDIOutput(name: "out"), scheduler: schedA)
        let echo = Echo(input: try b.registerMIDIInput(name: "in"), output: try b.registerMIDIOutput(name: "out"),
                        scheduler: schedB)
        try a.activate(process: player)
        try b.activate(process: echo)
        try a.connect("alloc-player:out", "alloc-echo:in")

        func playBurst(notes: Int) {
            let start = a.absoluteFrameTime + 1200
            for k in 0..<notes {
                let f = start + Int64(k * 97)
                schedA.schedule(.noteOn(channel: UInt8(k % 4), pitch: UInt8(30 + k % 60), velocity: 64), at: f)
                schedA.schedule(.noteOff(channel: UInt8(k % 4), pitch: UInt8(30 + k % 60)), at: f + 500)
                schedB.schedule(.controlChange(channel: 0, controller: 7, value: UInt8(k % 128)), at: f)
            }
        }
        func received() -> Int { echo.count.load(ordering: .relaxed) }

        // Warm-up: first calls instantiate generic metadata lazily (a one-time allocation).
        playBurst(notes: 40)
        #expect(waitFor(3) { received() >= 80 })
        schedA.flush(); schedA.panic(); schedB.panic()
        usleep(30_000)
        #expect(waitFor(2) { player.thread.load(ordering: .relaxed) != 0 && echo.thread.load(ordering: .relaxed) != 0 })

        let before = received()
        let cyclesBefore = b.cycleCount
        AllocationProbe.start(watching: [player.thread.load(ordering: .relaxed), echo.thread.load(ordering: .relaxed)])
        playBurst(notes: 400)
        let ok = waitFor(5) { received() - before >= 800 }
        schedA.flush()
        schedB.panic()
        usleep(50_000)
        let allocations = AllocationProbe.stop()

        #expect(ok)
        #expect(b.cycleCount - cyclesBefore > 250, "measured over many cycles")
        #expect(allocations == 0, "Swift heap allocations on the RT threads")
        print("AllocationTests: \(b.cycleCount - cyclesBefore) cycles, \(received() - before) events; RT allocations \(allocations)")
    }
}
}

/// Input → ring, and a scheduler → output: every RT API in one processor. Written the way a
/// real processor should be: @_noAllocation/@_noLocks on `process`, class references reached
/// through `Unmanaged` so nothing is retained.
final class Echo: RealtimeProcessor, @unchecked Sendable {
    let input: MIDIInputPort
    let output: MIDIOutputPort
    let scheduler: MIDIOutputScheduler
    let schedulerRef: Unmanaged<MIDIOutputScheduler>
    let count = Atomic<Int>(0)
    let thread = Atomic<UInt>(0)

    init(input: MIDIInputPort, output: MIDIOutputPort, scheduler: MIDIOutputScheduler) {
        self.input = input
        self.output = output
        self.scheduler = scheduler
        self.schedulerRef = Unmanaged.passUnretained(scheduler)
    }

    func process(frames: Int, cycle: borrowing ProcessCycle) {
        thread.store(UInt(pthread_self()), ordering: .relaxed)
        var n = 0
        var events = cycle.events(in: input)
        while events.next() != nil { n &+= 1 }
        count.wrappingAdd(n, ordering: .relaxed)
        var writer = cycle.writer(for: output)
        schedulerRef._withUnsafeGuaranteedRef { $0.render(into: &writer, cycleStart: cycle.firstFrame) }
    }
}

typealias AllocObjectFn = @convention(c) (UnsafeRawPointer?, Int, Int) -> UnsafeMutableRawPointer?

enum AllocationProbe {
    static let watched0 = Atomic<UInt>(0)
    static let watched1 = Atomic<UInt>(0)
    static let allocations = Atomic<Int>(0)
    nonisolated(unsafe) static var originalAlloc: AllocObjectFn?

    static func symbol<T>(_ name: String, as: T.Type) -> UnsafeMutablePointer<T> {
        let handle = dlopen(nil, RTLD_NOW)
        guard let p = dlsym(handle, name) else { fatalError("runtime symbol \(name) not found") }
        return p.assumingMemoryBound(to: T.self)
    }

    static var allocSlot: UnsafeMutablePointer<AllocObjectFn?> { symbol("_swift_allocObject", as: AllocObjectFn?.self) }
    static var enableFlag: UnsafeMutablePointer<Bool> {
        symbol("_swift_enableSwizzlingOfAllocationAndRefCountingFunctions_forInstrumentsOnly", as: Bool.self)
    }

    static func isWatched() -> Bool {
        let me = UInt(pthread_self())
        if me == watched0.load(ordering: .relaxed) { return true }
        return me == watched1.load(ordering: .relaxed)
    }

    static func start(watching threads: [UInt]) {
        watched0.store(threads[0], ordering: .relaxed)
        watched1.store(threads[1], ordering: .relaxed)
        allocations.store(0, ordering: .relaxed)
        originalAlloc = allocSlot.pointee
        let allocHook: AllocObjectFn = { metadata, size, align in
            if AllocationProbe.isWatched() { AllocationProbe.allocations.wrappingAdd(1, ordering: .relaxed) }
            return AllocationProbe.originalAlloc!(metadata, size, align)
        }
        let slot = allocSlot, flag = enableFlag  // resolve symbols before hooking
        slot.pointee = allocHook
        flag.pointee = true
    }

    static func stop() -> Int {
        let slot = allocSlot, flag = enableFlag
        slot.pointee = originalAlloc
        flag.pointee = false
        watched0.store(0, ordering: .relaxed)
        watched1.store(0, ordering: .relaxed)
        return allocations.load(ordering: .relaxed)
    }
}
