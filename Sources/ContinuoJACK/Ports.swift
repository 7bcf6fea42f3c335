import CJack

/// A MIDI input port registered by a `JackClient`.
///
/// Two distinct structs (rather than one `Port` with a direction flag) so the type system stops
/// you reading from an output or writing to an input. The handle is valid until its client
/// closes; using it afterwards is undefined, as in C. `@unchecked Sendable` because the real-time
/// processor, which lives on JACK's thread, has to hold it.
public struct MIDIInputPort: @unchecked Sendable, Hashable {
    @usableFromInline let handle: OpaquePointer
    init(handle: OpaquePointer) { self.handle = handle }

    /// Full name "client:port". Allocates: not for the real-time thread.
    public var name: String { String(cString: jack_port_name(handle)) }
}

/// A MIDI output port registered by a `JackClient`. See `MIDIInputPort`.
public struct MIDIOutputPort: @unchecked Sendable, Hashable {
    @usableFromInline let handle: OpaquePointer
    init(handle: OpaquePointer) { self.handle = handle }

    /// Full name "client:port". Allocates: not for the real-time thread.
    public var name: String { String(cString: jack_port_name(handle)) }
}

/// Which port types `JackClient.ports(matching:type:direction:)` lists.
public enum PortTypeFilter: Sendable {
    case midi, audio, any

    var pattern: String? {
        switch self {
        case .midi: return JACK_DEFAULT_MIDI_TYPE
        case .audio: return JACK_DEFAULT_AUDIO_TYPE
        case .any: return nil
        }
    }
}

/// Port direction as JACK sees it: `.output` ports are sources, `.input` ports are sinks.
public enum PortDirection: Sendable {
    case input, output, any

    var flags: UInt {
        switch self {
        case .input: return UInt(JackPortIsInput.rawValue)
        case .output: return UInt(JackPortIsOutput.rawValue)
        case .any: return 0
        }
    }
}
