/// What a performer's knob or switch controls.
public enum CCParameter: String, Codable, Sendable, Hashable, CaseIterable {
    /// 0...127 maps linearly onto 0.1...2.0.
    case temperature
    /// 0...127 maps linearly onto 0...1.
    case density
    /// Four equal ranges: 0-31 off, 32-63 call-response, 64-95 accompany, 96-127 effect.
    case mode
    /// 64 and above plays (resume), below 64 pauses: a sustain-style switch.
    case onOff
}

/// One controller bound to one parameter. Bound controllers are consumed (never passed through).
public struct CCBinding: Codable, Sendable, Hashable {
    public var controller: UInt8
    public var parameter: CCParameter
    /// Only this 0-based channel; nil listens on every channel.
    public var channel: UInt8?

    public init(controller: UInt8, parameter: CCParameter, channel: UInt8? = nil) {
        self.controller = controller
        self.parameter = parameter
        self.channel = channel
    }
}

/// What a bound controller asks for.
enum CCAction: Equatable {
    case temperature(Float)
    case density(Double)
    case mode(EngineMode)
    case play(Bool)
}

enum CCMap {
    /// The action of controller `controller` = `value` on `channel`, nil when no binding matches.
    static func action(_ bindings: [CCBinding], channel: UInt8, controller: UInt8, value: UInt8) -> CCAction? {
        // By index: iterators allocate in debug builds and this runs per controller message.
        for index in bindings.indices {
            let binding = bindings[index]
            guard binding.controller == controller, binding.channel == nil || binding.channel == channel else { continue }
            let v = Double(min(value, 127))
            switch binding.parameter {
            case .temperature: return .temperature(Float(0.1 + v / 127 * 1.9))
            case .density: return .density(v / 127)
            case .mode:
                let modes: [EngineMode] = [.off, .callResponse, .accompany, .effect]
                return .mode(modes[Int(min(value, 127)) / 32])
            case .onOff: return .play(value >= 64)
            }
        }
        return nil
    }
}
