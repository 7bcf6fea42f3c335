/// What values a parameter accepts.
public enum ParameterDomain: Sendable, Hashable {
    case real(ClosedRange<Double>)
    case integer(ClosedRange<Int>)
    case choice([String])
    case flag

    /// The JSON type: "number", "integer", "string" or "boolean".
    public var typeName: String {
        switch self {
        case .real: "number"
        case .integer: "integer"
        case .choice: "string"
        case .flag: "boolean"
        }
    }

    public var typeDescription: String {
        switch self {
        case .real: "a number"
        case .integer: "an integer"
        case .choice: "a string"
        case .flag: "true or false"
        }
    }

    /// "in 0...5", "one of fixed, midi-clock, transport", "true or false".
    public var allowedDescription: String {
        switch self {
        case let .real(range): "in \(Self.format(range.lowerBound))...\(Self.format(range.upperBound))"
        case let .integer(range): "in \(range.lowerBound)...\(range.upperBound)"
        case let .choice(choices): "one of " + choices.joined(separator: ", ")
        case .flag: "true or false"
        }
    }

    /// 5 rather than 5.0, 0.01 as is.
    public static func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : "\(number)"
    }
}

/// A parameter's value.
public enum ParameterValue: Sendable, Hashable, CustomStringConvertible {
    case real(Double)
    case integer(Int)
    case choice(String)
    case flag(Bool)

    /// The value as a Double (integers convert); nil for a choice or a flag.
    public var doubleValue: Double? {
        switch self {
        case let .real(number): number
        case let .integer(number): Double(number)
        case .choice, .flag: nil
        }
    }

    public var intValue: Int? {
        if case let .integer(number) = self { return number }
        return nil
    }

    public var stringValue: String? {
        if case let .choice(text) = self { return text }
        return nil
    }

    public var boolValue: Bool? {
        if case let .flag(on) = self { return on }
        return nil
    }

    public var description: String {
        switch self {
        case let .real(number): ParameterDomain.format(number)
        case let .integer(number): String(number)
        case let .choice(text): text
        case let .flag(on): String(on)
        }
    }
}
