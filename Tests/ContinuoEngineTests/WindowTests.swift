import ContinuoEncoding
import Testing
@testable import ContinuoEngine

@Suite struct WindowTests {
    @Test func historyStaysBoundedAndStatesRestart() {
        var c = EngineConfiguration(mode: .accompany, bpm: 140)
        c.windowEvents = 64
        let rig = Rig(c, seed: 9)
        var frame: Int64 = 500
        for i in 0..<2_000 {
            frame += Int64(300 + (i * 7919) % 4_000)
            let pitch = UInt8(40 + (i * 13) % 48)
            rig.play(i % 2 == 0 ? .noteOn(channel: 0, pitch: pitch, velocity: 70) : .noteOff(channel: 0, pitch: UInt8(40 + ((i - 1) * 13) % 48)), at: frame)
            let status = rig.engine.status
            #expect(status.windowLength <= 64)
            // Context never grows past the window plus what a rebuild in flight adds.
            #expect(status.contextLength <= 64 + 48, "context \(status.contextLength)")
        }
        let status = rig.engine.status
        #expect(status.historyTokens > 2_000)
        #expect(status.counters.reprimes > 10)
        #expect(status.counters.nonFiniteLogits == 0)
        #expect(rig.generatedNoteOns.count > 50)
        #expect(rig.engine.historyWindow.allSatisfy { $0 > 0 && $0 < Vocabulary.size })
        #expect(rig.jack.violations.isEmpty, "\(rig.jack.violations.prefix(5))")
    }

    @Test func staggeredSlotsKeepALongContext() throws {
        let inference = tinyInference()
        var history = History(capacity: 32, startFrame: 0)
        history.append(Vocabulary.start, framesPerStep: 1)
        var states = StaggeredStates(inference: inference, window: 32, primer: [Vocabulary.start], history: history)
        var minimum = Int.max, maximum = 0
        for i in 0..<1_000 {
            history.append(Event.noteOn(pitch: UInt8(i % 128)).token, framesPerStep: 1)
            try states.background(history: history, inference: inference, budget: 64)
            if i > 100 {
                minimum = min(minimum, states.activeContext)
                maximum = max(maximum, states.activeContext)
            }
        }
        // Between 3W/4 and W (plus a token or two while a rebuild lands).
        #expect(minimum >= 24, "min context \(minimum)")
        #expect(maximum <= 34, "max context \(maximum)")
        #expect(states.restarts > 40)
    }

    @Test func timeBecomesShiftsWithoutDrift() {
        var history = History(capacity: 64, startFrame: 0)
        let fps = 2_000.0
        // 100 events 2.6 steps apart: rounding each would drift; anchoring keeps the sum right.
        for i in 1...100 {
            history.appendNote(on: i % 2 == 1, pitch: 60, velocity: 64, at: Double(i) * 2.6 * fps, framesPerStep: fps)
        }
        #expect(abs(history.timeFrame - 100 * 2.6 * fps) <= fps / 2)
        // A long silence is capped at 8 beats of shifts.
        let before = history.total
        history.advanceTime(to: history.timeFrame + 1_000 * fps, framesPerStep: fps)
        #expect(history.total - before == 2)
    }
}
