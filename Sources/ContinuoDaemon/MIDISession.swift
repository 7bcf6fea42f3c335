import ContinuoJACK
import ContinuoMIDI
import ContinuoParameters
import ContinuoProtocol

/// One connection to a MIDI system (a JACK server, the ALSA sequencer), as the worker loop sees
/// it: stamped input to take, a scheduler to hand output to, and a clock in frames. The engine,
/// the control commands and the output contract are the same whichever it is.
public protocol MIDISession: AnyObject {
    /// "JACK" or "ALSA", for logs and status.
    var backend: Backend { get }
    var sampleRate: Int { get }
    /// Frames per period: the granularity at which output is handed over.
    var bufferSize: Int { get }
    /// The earliest frame the worker can still schedule for: what it schedules there or later
    /// goes out on time.
    var nextCycle: Int64 { get }
    /// The server, sequencer or its thread is gone; the worker reconnects.
    var isGone: Bool { get }
    var scheduler: MIDIOutputScheduler { get }
    /// The next performer event, stamped with its frame; nil when none is waiting.
    func popInput() -> TimedMIDI?
    /// Work outside the real-time path between two loops: hot-plug, period changes. Returns
    /// what to log.
    func housekeeping() -> [String]
    /// The JACK transport, where there is one.
    func transportPosition() -> (rolling: Bool, bpm: Double, beat: Double)?
    var xrunCount: Int { get }
    var droppedInputs: Int { get }
    var droppedOutputs: Int { get }
    /// This backend's part of `status`.
    func statusFields() -> [String: JSONValue]
    func close()
    /// Parameter changes that came with the backend's own controls (a plugin's control ports),
    /// applied by the worker between two engine steps.
    func parameterChanges() -> [(Parameter, ParameterValue)]
}

extension MIDISession {
    public func parameterChanges() -> [(Parameter, ParameterValue)] { [] }
}

/// Which MIDI system the daemon plays on: `auto` takes JACK when a server runs, else ALSA.
public enum Backend: String, Sendable, CaseIterable, CustomStringConvertible {
    case jack, alsa, auto
    public var description: String { self == .auto ? "auto" : rawValue.uppercased() }
}
