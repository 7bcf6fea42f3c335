import Testing
@testable import ContinuoPlot

@Suite struct NiceTicksTests {
    @Test func rangeToSevenPointThree() {
        let ticks = NiceTicks.ticks(from: 0, to: 7.3, targetCount: 4)
        #expect(ticks == [0, 2, 4, 6])
        #expect(NiceTicks.ticks(from: 0, to: 7.3, targetCount: 7) == [0, 1, 2, 3, 4, 5, 6, 7])
    }

    @Test func stepsAreOneTwoFive() {
        for span in [0.003, 0.7, 1, 13, 99.9, 12_345, 3e7] {
            let step = NiceTicks.step(span: span, targetCount: 5)
            #expect([1, 2, 5].contains(step.mantissa))
            let count = span / step.value
            #expect(count >= 2 && count <= 15, "\(span)")
        }
    }

    @Test func decimalTicksAreExact() {
        let ticks = NiceTicks.ticks(from: 0.1, to: 0.75, targetCount: 6)
        #expect(ticks == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7])
        let axis = NiceTicks.axis(lo: 0.1, hi: 0.75, targetCount: 6)
        #expect(NiceTicks.labels(for: axis.ticks, step: axis.step) == ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8"])
    }

    @Test func axisCoversDataWithWholeSteps() {
        let a = NiceTicks.axis(lo: 2.37, hi: 4.81, targetCount: 5)
        #expect(a.lower <= 2.37 && a.upper >= 4.81)
        #expect(a.ticks.first == a.lower && a.ticks.last == a.upper)
        let flat = NiceTicks.axis(lo: 3, hi: 3)
        #expect(flat.lower < 3 && flat.upper > 3)
    }

    @Test func largeLabelsUseSuffixes() {
        let a = NiceTicks.axis(lo: 0, hi: 120_000, targetCount: 6)
        #expect(NiceTicks.labels(for: a.ticks, step: a.step) == ["0", "20k", "40k", "60k", "80k", "100k", "120k"])
    }

    @Test func numberFormatting() {
        #expect(NumberFormat.fixed(2.5, decimals: 2) == "2.50")
        #expect(NumberFormat.fixed(-0.004, decimals: 2) == "0.00")
        #expect(NumberFormat.fixed(-1.25, decimals: 1) == "-1.3")
        #expect(NumberFormat.short(12.0) == "12")
        #expect(NumberFormat.short(0.125) == "0.13")
        #expect(NumberFormat.significant(0.012345) == "0.0123")
        #expect(NumberFormat.significant(1234.5) == "1235")
    }
}
