/// What the machine does with the performer's playing. Raw values are the preset spellings.
public enum EngineMode: String, Codable, Sendable, Hashable, CaseIterable {
    /// Listens while the performer plays; after `silenceBeats` of silence answers with a
    /// continuation of `responseBeats`; stops the moment the performer plays again.
    case callResponse = "call-response"
    /// Plays along on its own channel; performer and machine share the model's history.
    case accompany
    /// A MIDI effect: input passes through, each performer note-on gets generated notes.
    case effect
    /// Silent: no generation and no pass-through.
    case off

    /// Whether the mode runs the speculative generator (as opposed to answering note by note).
    var generates: Bool { self == .callResponse || self == .accompany }
}

/// Where the tempo comes from.
public enum TempoSource: String, Codable, Sendable, Hashable, CaseIterable {
    /// `EngineConfiguration.bpm`, or what `Engine.set(tempo:)` sets.
    case fixed
    /// Incoming MIDI clock (24 ticks a beat); the configured bpm until ticks arrive.
    case midiClock = "midi-clock"
    /// JACK transport (BBT) while it rolls; the last known bpm while stopped.
    case transport
    /// The beat heard in the performer's onsets (`BeatTracker`); the configured bpm until it locks.
    case follow
}
