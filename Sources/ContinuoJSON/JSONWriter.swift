/// Writes JSON text by hand rather than with JSONEncoder, for three guarantees the protocol's
/// framing and the safetensors header rely on: the output is one line (every control character
/// is escaped, so a newline can never end a reply early), keys come out in a fixed order (given
/// order where the caller says, else sorted), and non-finite numbers become `null` instead of an
/// encoding error.
public enum JSONWriter {
    /// An object whose members appear in the given order; nil values are left out.
    public static func object(_ members: [(String, JSONValue?)]) -> String {
        var out = "{"
        var first = true
        for (key, value) in members {
            guard let value else { continue }
            if !first { out += "," }
            first = false
            writeString(key, into: &out)
            out += ":"
            write(value, into: &out)
        }
        out += "}"
        return out
    }

    public static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null: out += "null"
        case let .bool(flag): out += flag ? "true" : "false"
        case let .int(number): out += String(number)
        case let .double(number): writeDouble(number, into: &out)
        case let .string(text): writeString(text, into: &out)
        case let .array(elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                write(element, into: &out)
            }
            out += "]"
        case let .object(members):
            out += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                writeString(key, into: &out)
                out += ":"
                write(members[key]!, into: &out)
            }
            out += "}"
        }
    }

    /// Swift's shortest round-trip form ("0.8", "1e-05", "120.0") is valid JSON; inf and nan
    /// are not, so they become null.
    public static func writeDouble(_ number: Double, into out: inout String) {
        out += number.isFinite ? "\(number)" : "null"
    }

    public static func writeString(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{2028}": out += "\\u2028" // line separators: some clients split lines on them
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension JSONValue {
    /// Compact JSON text on one line, object keys sorted.
    public func serialized() -> String {
        var out = ""
        JSONWriter.write(self, into: &out)
        return out
    }
}
