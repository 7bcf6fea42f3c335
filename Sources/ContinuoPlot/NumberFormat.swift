/// Decimal formatting without Foundation: tick labels, cell values and SVG coordinates need
/// only fixed-point output, and `String(describing:)` would print 0.30000000000000004.
public enum NumberFormat {
    /// `v` rounded to `decimals` places, e.g. fixed(2.5, 2) == "2.50".
    public static func fixed(_ v: Double, decimals: Int) -> String {
        guard v.isFinite else { return v.isNaN ? "nan" : (v < 0 ? "-inf" : "inf") }
        let decimals = min(max(decimals, 0), 9)
        let scale = power10(decimals)
        let scaled = (abs(v) * scale).rounded()
        guard scaled < 9e15 else { return "\(v)" }
        let n = Int(scaled), unit = Int(scale)
        var s = n == 0 || v >= 0 ? "" : "-"
        s += String(n / unit)
        if decimals > 0 {
            let frac = String(n % unit)
            s += "." + String(repeating: "0", count: decimals - frac.count) + frac
        }
        return s
    }

    /// At most two decimals, trailing zeros dropped: compact SVG coordinates.
    public static func short(_ v: Double) -> String { trimmed(fixed(v, decimals: 2)) }

    /// About `digits` significant digits, trailing zeros dropped: 0.1234 -> "0.123", 1234 -> "1234".
    public static func significant(_ v: Double, digits: Int = 3) -> String {
        guard v.isFinite, v != 0 else { return fixed(v, decimals: 0) }
        let decimals = max(0, digits - 1 - exponent(of: abs(v)))
        return trimmed(fixed(v, decimals: min(decimals, 9)))
    }

    /// floor(log10(a)) for a > 0, exact at powers of ten.
    static func exponent(of a: Double) -> Int {
        var e = 0
        while power10(e + 1) <= a, e < 308 { e += 1 }
        while power10(e) > a, e > -308 { e -= 1 }
        return e
    }

    /// 10^e, correctly rounded for the exponents plots meet (|e| <= 22 are exact or one division).
    static func power10(_ e: Int) -> Double {
        var p = 1.0
        for _ in 0..<abs(e) { p *= 10 }
        return e >= 0 ? p : 1 / p
    }

    private static func trimmed(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var s = Substring(s)
        while s.hasSuffix("0") { s = s.dropLast() }
        if s.hasSuffix(".") { s = s.dropLast() }
        return s == "-0" ? "0" : String(s)
    }
}
