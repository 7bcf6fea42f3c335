/// One value for every parameter: what a preset sets up, and what an engine runs with. Reading a
/// parameter that was never set gives its default, and two sets are equal when every parameter
/// reads the same (a default left out equals the default written down).
public struct ParameterValues: Sendable, Hashable {
    private var values: [Parameter: ParameterValue] = [:]

    public init() {}

    public subscript(_ parameter: Parameter) -> ParameterValue {
        get { values[parameter] ?? parameter.defaultValue }
        set { values[parameter] = newValue }
    }

    public func real(_ parameter: Parameter) -> Double { self[parameter].doubleValue ?? parameter.defaultValue.doubleValue ?? 0 }
    public func integer(_ parameter: Parameter) -> Int { self[parameter].intValue ?? parameter.defaultValue.intValue ?? 0 }
    public func choice(_ parameter: Parameter) -> String { self[parameter].stringValue ?? parameter.defaultValue.stringValue ?? "" }
    public func flag(_ parameter: Parameter) -> Bool { self[parameter].boolValue ?? parameter.defaultValue.boolValue ?? false }

    public static func == (a: ParameterValues, b: ParameterValues) -> Bool {
        Parameter.allCases.allSatisfy { a[$0] == b[$0] }
    }

    public func hash(into hasher: inout Hasher) {
        for parameter in Parameter.allCases { hasher.combine(self[parameter]) }
    }
}
