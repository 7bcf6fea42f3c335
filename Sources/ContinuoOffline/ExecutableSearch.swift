import Foundation

/// Where the external tools (FluidSynth, Python for Basic Pitch) are: the first executable of
/// that name on PATH, as a shell would find it.
enum ExecutableSearch {
    static func onPath(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        let paths = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
