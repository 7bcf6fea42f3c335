import Testing
@testable import ContinuoProtocol
import ContinuoRandom

@Suite struct EventQueueTests {
    private func note(_ pitch: Int, instance: String? = "main") -> Event {
        Event(instance: instance, .note(.init(direction: .incoming, channel: 1, pitch: pitch, velocity: 90, frame: pitch)))
    }

    private func param(_ parameter: Parameter, _ value: Double, instance: String? = "main") -> Event {
        Event(instance: instance, .param(parameter, .real(value)))
    }

    @Test func deliversInOrder() {
        var queue = EventQueue(capacity: 16)
        let events = [note(60), param(.temperature, 1), Event(.warning(code: nil, message: "w")), note(61), Event(instance: "main", .mode("off", paused: false))]
        events.forEach { queue.push($0) }
        #expect(queue.drain() == events)
        #expect(queue.isEmpty && queue.pop() == nil)
    }

    @Test func tenThousandSetsLeaveOneEventWithTheLastValue() {
        var queue = EventQueue(capacity: 8)
        for i in 0..<10_000 { queue.push(param(.temperature, Double(i % 500) / 100)) }
        #expect(queue.count == 1)
        #expect(queue.drain() == [param(.temperature, 4.99)])
        #expect(queue.droppedTotal == 0) // coalesced, not lost: the value is current
    }

    @Test func replacedStateMovesBehindEarlierEvents() {
        var queue = EventQueue(capacity: 8)
        queue.push(param(.bpm, 90))
        queue.push(note(60))
        queue.push(param(.bpm, 100))
        #expect(queue.drain() == [note(60), param(.bpm, 100)])
    }

    @Test func coalescingIsPerInstanceAndKey() {
        var queue = EventQueue(capacity: 16)
        queue.push(param(.bpm, 90, instance: "a"))
        queue.push(param(.bpm, 91, instance: "b"))
        queue.push(param(.density, 0.5, instance: "a"))
        queue.push(Event(instance: "a", .mode("effect", paused: false)))
        queue.push(Event(instance: "a", .mode("off", paused: true)))
        queue.push(Event(instance: "a", .model(path: "x")))
        queue.push(Event(instance: "a", .model(path: "y")))
        #expect(queue.drain() == [param(.bpm, 90, instance: "a"), param(.bpm, 91, instance: "b"), param(.density, 0.5, instance: "a"),
                                  Event(instance: "a", .mode("off", paused: true)), Event(instance: "a", .model(path: "y"))])
    }

    @Test func xrunsAddUp() {
        var queue = EventQueue(capacity: 4)
        for _ in 0..<5 { queue.push(Event(.xrun(count: 2))) }
        #expect(queue.drain() == [Event(.xrun(count: 10))])
    }

    @Test func notesDropOldestAndReportTheLoss() {
        var queue = EventQueue(capacity: 4)
        for pitch in 0..<10 { queue.push(note(pitch)) }
        #expect(queue.count == 4)
        #expect(queue.drain() == [Event(.dropped(count: 6, topics: [.notes: 6])), note(6), note(7), note(8), note(9)])
        #expect(queue.droppedTotal == 6)
    }

    @Test func stateAndWarningsSurviveANoteFlood() {
        var queue = EventQueue(capacity: 4)
        queue.push(param(.temperature, 1))
        queue.push(Event(.warning(code: .modelInvalid, message: "bad")))
        for pitch in 0..<1000 { queue.push(note(pitch)) }
        queue.push(param(.temperature, 2))
        let events = queue.drain()
        #expect(events.first == Event(.dropped(count: 998, topics: [.notes: 998])))
        #expect(events.dropFirst() == [Event(.warning(code: .modelInvalid, message: "bad")), note(998), note(999), param(.temperature, 2)])
    }

    @Test func fullOfStateShedsOldestStateOnlyWhenNothingElseIsLeft() {
        var queue = EventQueue(capacity: 2)
        queue.push(param(.bpm, 90))
        queue.push(param(.density, 0.5))
        queue.push(note(1))                       // nothing less important to shed: the note goes
        queue.push(Event(.warning(code: nil, message: "w")))  // nor for a warning
        queue.push(param(.topP, 0.5))             // new state: the oldest state goes
        #expect(queue.count == 2)
        #expect(queue.drain() == [Event(.dropped(count: 3, topics: [.notes: 1, .warnings: 1, .params: 1])),
                                  param(.density, 0.5), param(.topP, 0.5)])
    }

    @Test func upstreamDropsAreMergedIntoTheReport() {
        var queue = EventQueue(capacity: 4)
        queue.push(Event(.dropped(count: 3, topics: [.notes: 3])))
        queue.push(note(1))
        #expect(queue.drain() == [Event(.dropped(count: 3, topics: [.notes: 3])), note(1)])
    }

    @Test func neverGrowsBeyondItsBound() {
        var rng = SeededRandom(seed: 3)
        for capacity in [1, 2, 7, 64] {
            var queue = EventQueue(capacity: capacity)
            for _ in 0..<20_000 {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<5: queue.push(note(Int.random(in: 0...127, using: &rng), instance: ["a", "b"].randomElement(using: &rng)))
                case 5: queue.push(Event(.warning(code: nil, message: "w")))
                case 6: queue.push(param(Parameter.allCases.randomElement(using: &rng)!, 1, instance: ["a", "b", "c"].randomElement(using: &rng)))
                case 7: queue.push(Event(instance: "a", .xrun(count: 1)))
                default: _ = queue.pop()
                }
                #expect(queue.count <= capacity)
            }
        }
    }
}
