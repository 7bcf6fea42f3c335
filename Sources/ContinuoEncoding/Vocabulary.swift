/// The event vocabulary, version 1. Time is counted in grid steps of 1/12 beat (a beat is a
/// quarter note), so 16ths (3 steps), 8th triplets (4) and 16th triplets (2) fall on the grid
/// and the model learns rhythm apart from tempo.
///
/// Token layout (355 tokens):
///
/// | tokens    | event                                   |
/// |-----------|-----------------------------------------|
/// | 0         | pad                                     |
/// | 1         | start of a piece                        |
/// | 2         | end of a piece                          |
/// | 3...18    | style 0...15 (conditioning)             |
/// | 19...146  | note-on, pitch 0...127                  |
/// | 147...274 | note-off, pitch 0...127                 |
/// | 275...322 | time shift, 1...48 steps (up to 4 beats)|
/// | 323...354 | velocity bin 0...31 (4 velocities each) |
public enum Vocabulary {
    public static let version = 1
    public static let stepsPerBeat = 12
    public static let maxShiftSteps = 48
    public static let velocityBins = 32
    public static let styleSlots = 16

    public static let pad = 0
    public static let start = 1
    public static let end = 2
    public static let styleBase = 3
    public static let noteOnBase = styleBase + styleSlots
    public static let noteOffBase = noteOnBase + 128
    public static let shiftBase = noteOffBase + 128
    public static let velocityBase = shiftBase + maxShiftSteps
    public static let size = velocityBase + velocityBins

    /// Velocity 1...127 to its bin: four velocities per bin.
    @inline(__always)
    public static func velocityBin(_ velocity: UInt8) -> Int {
        min(velocityBins - 1, (Int(max(velocity, 1)) - 1) / 4)
    }

    /// The velocity a bin decodes to: the middle of its four.
    @inline(__always)
    public static func velocity(ofBin bin: Int) -> UInt8 {
        UInt8(min(127, max(0, bin) * 4 + 3))
    }
}

/// One token, decoded.
public enum Event: Sendable, Hashable, CustomStringConvertible {
    case pad
    case start
    case end
    case style(Int)
    case noteOn(pitch: UInt8)
    case noteOff(pitch: UInt8)
    case timeShift(steps: Int)
    case velocity(bin: Int)

    public init?(token: Int) {
        switch token {
        case Vocabulary.pad: self = .pad
        case Vocabulary.start: self = .start
        case Vocabulary.end: self = .end
        case Vocabulary.styleBase..<Vocabulary.noteOnBase: self = .style(token - Vocabulary.styleBase)
        case Vocabulary.noteOnBase..<Vocabulary.noteOffBase: self = .noteOn(pitch: UInt8(token - Vocabulary.noteOnBase))
        case Vocabulary.noteOffBase..<Vocabulary.shiftBase: self = .noteOff(pitch: UInt8(token - Vocabulary.noteOffBase))
        case Vocabulary.shiftBase..<Vocabulary.velocityBase: self = .timeShift(steps: token - Vocabulary.shiftBase + 1)
        case Vocabulary.velocityBase..<Vocabulary.size: self = .velocity(bin: token - Vocabulary.velocityBase)
        default: return nil
        }
    }

    /// The token; values outside an event's range are clamped into it.
    public var token: Int {
        switch self {
        case .pad: return Vocabulary.pad
        case .start: return Vocabulary.start
        case .end: return Vocabulary.end
        case let .style(s): return Vocabulary.styleBase + min(max(s, 0), Vocabulary.styleSlots - 1)
        case let .noteOn(p): return Vocabulary.noteOnBase + Int(p & 0x7F)
        case let .noteOff(p): return Vocabulary.noteOffBase + Int(p & 0x7F)
        case let .timeShift(n): return Vocabulary.shiftBase + min(max(n, 1), Vocabulary.maxShiftSteps) - 1
        case let .velocity(b): return Vocabulary.velocityBase + min(max(b, 0), Vocabulary.velocityBins - 1)
        }
    }

    public var description: String {
        switch self {
        case .pad: return "PAD"
        case .start: return "START"
        case .end: return "END"
        case let .style(s): return "STYLE(\(s))"
        case let .noteOn(p): return "ON(\(p))"
        case let .noteOff(p): return "OFF(\(p))"
        case let .timeShift(n): return "SHIFT(\(n))"
        case let .velocity(b): return "VEL(\(b))"
        }
    }
}
