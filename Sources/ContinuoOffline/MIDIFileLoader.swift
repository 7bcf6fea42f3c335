import ContinuoMIDI

/// Reads a MIDI file from disk, naming it in errors.
public enum MIDIFileLoader {
    public static func read(_ path: String) throws -> MIDIReadResult {
        try MIDIFileReader.read(try FileBytes.read(path), name: path)
    }
}
