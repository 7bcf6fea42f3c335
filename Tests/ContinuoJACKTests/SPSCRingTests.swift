import Foundation
import Testing
import ContinuoJACK

@Suite struct SPSCRingTests {
    @Test func capacityRoundsUpToPowerOfTwo() {
        #expect(SPSCRing<Int>(capacity: 1).capacity == 2)
        #expect(SPSCRing<Int>(capacity: 5).capacity == 8)
        #expect(SPSCRing<Int>(capacity: 64).capacity == 64)
    }

    @Test func fifoFullAndEmpty() {
        let ring = SPSCRing<Int>(capacity: 4)
        #expect(ring.isEmpty)
        #expect(ring.pop() == nil)
        #expect(ring.peek() == nil)
        for i in 0..<4 { #expect(ring.push(i)) }
        #expect(ring.count == 4)
        #expect(!ring.push(99), "full ring refuses instead of blocking or overwriting")
        #expect(ring.peek() == 0)
        #expect(ring.count == 4, "peek does not consume")
        for i in 0..<4 { #expect(ring.pop() == i) }
        #expect(ring.pop() == nil)
        #expect(ring.isEmpty)
    }

    @Test func wrapsAroundManyTimes() {
        let ring = SPSCRing<UInt16>(capacity: 8)
        var next: UInt16 = 0, expected: UInt16 = 0
        for round in 0..<1000 {
            let burst = round % 8 + 1
            for _ in 0..<burst { #expect(ring.push(next)); next &+= 1 }
            for _ in 0..<burst { #expect(ring.pop() == expected); expected &+= 1 }
        }
        #expect(ring.isEmpty)
    }

    @Test func carriesStructs() {
        let ring = SPSCRing<ScheduledMIDI>(capacity: 2)
        let e = ScheduledMIDI(frame: 1 << 40, generation: 7, bytes: .noteOn(channel: 3, pitch: 60, velocity: 100))
        #expect(ring.push(e))
        #expect(ring.pop() == e)
    }

    /// One producer thread, one consumer thread, a million items: all arrive, once, in order.
    @Test func twoThreadStress() async {
        let ring = SPSCRing<Int>(capacity: 1024)
        let total = 1_000_000
        let producer = Thread {
            var i = 0
            while i < total {
                if ring.push(i) { i += 1 } else { sched_yield() }
            }
        }
        producer.start()
        var expected = 0
        var outOfOrder = 0
        while expected < total {
            if let v = ring.pop() {
                if v != expected { outOfOrder += 1 }
                expected += 1
            } else {
                sched_yield()
            }
        }
        #expect(outOfOrder == 0)
        #expect(ring.pop() == nil, "nothing duplicated")
    }
}
