@_exported import ContinuoParameters

/// The parameter table (ContinuoParameters) as the protocol speaks it: values from JSON, bounds
/// for error replies and UIs, and the docs table.
extension Parameter {
    /// Validates a value from a request: `wrong_type` for the wrong JSON type, `out_of_range`
    /// outside the range or choices. Messages name the parameter and what is allowed.
    public func validate(_ value: JSONValue) -> Result<ParameterValue, ProtocolError> {
        let parsed: ParameterValue
        switch domain {
        case .real:
            guard let number = value.doubleValue else { return .failure(wrongType(value)) }
            parsed = .real(number)
        case .integer:
            guard let number = value.intValue else {
                // 2.5 for a channel is a type error; 1e300 is an integer that is merely too big.
                if let real = value.doubleValue, real.rounded() == real { return .failure(outOfRange(value)) }
                return .failure(wrongType(value))
            }
            parsed = .integer(number)
        case .choice:
            guard let text = value.stringValue else { return .failure(wrongType(value)) }
            parsed = .choice(text)
        case .flag:
            guard case let .bool(on) = value else { return .failure(wrongType(value)) }
            parsed = .flag(on)
        }
        return accepts(parsed) ? .success(parsed) : .failure(outOfRange(value))
    }

    private func wrongType(_ value: JSONValue) -> ProtocolError {
        ProtocolError(.wrongType, "\(name) must be \(domain.typeDescription), got \(value.typeName)", details: details)
    }

    private func outOfRange(_ value: JSONValue) -> ProtocolError {
        ProtocolError(.outOfRange, "\(name) must be \(domain.allowedDescription), got \(value.serialized().prefix(64))", details: details)
    }

    /// Machine-readable bounds for error replies and UIs:
    /// `{"parameter":"temperature","type":"number","min":0,"max":5,"default":1}`.
    public var details: JSONValue {
        var members: [String: JSONValue] = ["parameter": .string(name), "type": .string(domain.typeName), "default": defaultValue.json]
        switch domain {
        case let .real(range):
            members["min"] = .double(range.lowerBound)
            members["max"] = .double(range.upperBound)
        case let .integer(range):
            members["min"] = .int(range.lowerBound)
            members["max"] = .int(range.upperBound)
        case let .choice(choices):
            members["choices"] = .array(choices.map { .string($0) })
        case .flag:
            break
        }
        if let unit { members["unit"] = .string(unit) }
        return .object(members)
    }

    /// The parameter table of docs/protocol.md, generated so the docs cannot drift.
    public static var markdownTable: String {
        var lines = ["| param | type | range or choices | default | unit | meaning |",
                     "|-------|------|------------------|---------|------|---------|"]
        for parameter in allCases {
            let allowed: String
            switch parameter.domain {
            case let .real(range): allowed = "\(ParameterDomain.format(range.lowerBound)) … \(ParameterDomain.format(range.upperBound))"
            case let .integer(range): allowed = "\(range.lowerBound) … \(range.upperBound)"
            case let .choice(choices): allowed = choices.map { "`\($0)`" }.joined(separator: ", ")
            case .flag: allowed = "`true`, `false`"
            }
            lines.append("| `\(parameter.name)` | \(parameter.domain.typeName) | \(allowed) | `\(parameter.defaultValue)` | \(parameter.unit ?? "") | \(parameter.summary) |")
        }
        return lines.joined(separator: "\n")
    }
}

extension ParameterValue {
    public var json: JSONValue {
        switch self {
        case let .real(number): .double(number)
        case let .integer(number): .int(number)
        case let .choice(text): .string(text)
        case let .flag(on): .bool(on)
        }
    }
}
