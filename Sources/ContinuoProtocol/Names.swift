/// Preset and instance names become file names (`presets/NAME.toml`) and JACK client names,
/// so they are restricted here, before anything touches a file: letters, digits, `-`, `_`,
/// `.`, not starting with `.`, at most `Limits.maxNameBytes` bytes. No `/`, so no traversal.
enum Names {
    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= Limits.maxNameBytes, bytes[0] != UInt8(ascii: ".") else { return false }
        return bytes.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    /// Paths are the daemon's to resolve; here only what can never be a path is refused:
    /// empty, NUL bytes (C strings would cut them), longer than `Limits.maxPathBytes`.
    static func isValidPath(_ path: String) -> Bool {
        !path.isEmpty && path.utf8.count <= Limits.maxPathBytes && !path.utf8.contains(0)
    }
}
