import ContinuoParameters

/// What a performer's knob or switch controls: any parameter of the table (swept as
/// `Parameter.value(forController:)` says), or playing on and off.
public enum CCTarget: Sendable, Hashable, Codable, CustomStringConvertible {
    case parameter(Parameter)
    /// 64 and above plays (resume), below 64 pauses: a sustain-style switch.
    case onOff

    /// The preset key and the JSON spelling: the parameter's name, or `on_off`.
    public var description: String {
        switch self {
        case let .parameter(parameter): parameter.name
        case .onOff: "on_off"
        }
    }

    public init?(name: String) {
        if name == "on_off" { self = .onOff; return }
        guard let parameter = Parameter(rawValue: name) else { return nil }
        self = .parameter(parameter)
    }

    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let target = CCTarget(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(name)' is no parameter (nor on_off)"))
        }
        self = target
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// One controller bound to one target. Bound controllers are consumed (never passed through).
public struct CCBinding: Codable, Sendable, Hashable {
    public var controller: UInt8
    public var parameter: CCTarget
    /// Only this 0-based channel; nil listens on every channel.
    public var channel: UInt8?

    public init(controller: UInt8, parameter: CCTarget, channel: UInt8? = nil) {
        self.controller = controller
        self.parameter = parameter
        self.channel = channel
    }
}

/// What a bound controller asks for.
enum CCAction: Equatable {
    case set(Parameter, ParameterValue)
    case play(Bool)
}

enum CCMap {
    /// The action of controller `controller` = `value` on `channel`, nil when no binding matches.
    static func action(_ bindings: [CCBinding], channel: UInt8, controller: UInt8, value: UInt8) -> CCAction? {
        // By index: iterators allocate in debug builds and this runs per controller message.
        for index in bindings.indices {
            let binding = bindings[index]
            guard binding.controller == controller, binding.channel == nil || binding.channel == channel else { continue }
            switch binding.parameter {
            case let .parameter(parameter): return .set(parameter, parameter.value(forController: value))
            case .onOff: return .play(value >= 64)
            }
        }
        return nil
    }
}
