/// Axis ticks on 1-2-5 steps (Heckbert's "nice numbers"), so readers can interpolate at a glance.
public enum NiceTicks {
    /// A step of `mantissa` x 10^`exponent`, with mantissa 1, 2 or 5. Kept apart so tick values
    /// are computed from integers and come out exact (0.3, not 0.30000000000000004).
    public struct Step: Sendable, Hashable {
        public var mantissa: Int
        public var exponent: Int
        public var value: Double { multiple(1) }

        /// k x step, computed with one rounding.
        public func multiple(_ k: Int) -> Double {
            exponent >= 0 ? Double(k * mantissa) * NumberFormat.power10(exponent)
                : Double(k * mantissa) / NumberFormat.power10(-exponent)
        }
    }

    /// The 1-2-5 step giving about `targetCount` intervals over `span`.
    public static func step(span: Double, targetCount: Int = 5) -> Step {
        guard span.isFinite, span > 0 else { return Step(mantissa: 1, exponent: 0) }
        let raw = span / Double(max(targetCount, 1))
        var e = NumberFormat.exponent(of: raw)
        let normalised = raw / NumberFormat.power10(e)
        let mantissa: Int
        switch normalised {
        case ..<1.5: mantissa = 1
        case ..<3: mantissa = 2
        case ..<7: mantissa = 5
        default:
            mantissa = 1
            e += 1
        }
        return Step(mantissa: mantissa, exponent: e)
    }

    /// Multiples of the nice step that lie within [lo, hi].
    public static func ticks(from lo: Double, to hi: Double, targetCount: Int = 5) -> [Double] {
        guard lo.isFinite, hi.isFinite, hi >= lo else { return [] }
        if hi == lo { return [lo] }
        let s = step(span: hi - lo, targetCount: targetCount)
        return multiples(of: s, from: lo, to: hi)
    }

    static func multiples(of s: Step, from lo: Double, to hi: Double) -> [Double] {
        let slack = 1e-9
        let first = Int((lo / s.value - slack).rounded(.up)), last = Int((hi / s.value + slack).rounded(.down))
        guard first <= last else { return [] }
        return (first...last).map { s.multiple($0) }
    }

    /// An axis range widened outwards to whole steps, with its ticks: the data never touches a
    /// frame edge without a labelled tick there. A degenerate range is opened up around its value.
    public static func axis(lo: Double, hi: Double, targetCount: Int = 5) -> (lower: Double, upper: Double, step: Step, ticks: [Double]) {
        var lo = lo, hi = hi
        if !lo.isFinite || !hi.isFinite { (lo, hi) = (0, 1) }
        if hi < lo { swap(&lo, &hi) }
        if hi == lo {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            (lo, hi) = (lo - pad, hi + pad)
        }
        let s = step(span: hi - lo, targetCount: targetCount)
        let lower = s.multiple(Int((lo / s.value + 1e-9).rounded(.down)))
        let upper = s.multiple(Int((hi / s.value - 1e-9).rounded(.up)))
        return (lower, upper, s, multiples(of: s, from: lower, to: upper))
    }

    /// Labels with exactly the decimals the step needs; large round values use k and M so step
    /// counts like 120000 stay short.
    public static func labels(for ticks: [Double], step: Step) -> [String] {
        let largest = ticks.map(abs).max() ?? 0
        let (divisor, suffix, exponent): (Double, String, Int) =
            if step.exponent >= 6 && largest >= 1e7 { (1e6, "M", step.exponent - 6) }
            else if step.exponent >= 3 && largest >= 1e4 { (1e3, "k", step.exponent - 3) }
            else { (1, "", step.exponent) }
        return ticks.map { t in
            t == 0 && !suffix.isEmpty ? "0" : NumberFormat.fixed(t / divisor, decimals: max(0, -exponent)) + suffix
        }
    }
}
