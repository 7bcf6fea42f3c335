import ArgumentParser
import ContinuoEncoding
import ContinuoOffline
import Foundation

struct Prepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode folders of MIDI files into a token file for training.",
        discussion: """
        Scans the folders recursively, encodes every file on all cores, splits pieces into \
        training and validation (seeded, by piece), and writes OUTPUT plus OUTPUT.json (the index). \
        A file that cannot be read is skipped and listed, never fatal.
        """)

    @Argument(help: "Folders (or files) to scan.")
    var folders: [String]

    @Option(name: .shortAndLong, help: "Token file to write.")
    var output: String = "data.ctok"

    @Option(help: "Seed of the training/validation split.")
    var seed: UInt64 = 1

    @Option(help: "Fraction of pieces kept for validation.")
    var validationFraction: Double = 0.1

    @Option(help: "Track roles to leave out (comma-separated: melody, harmony, bass, rhythm, drums).")
    var dropTracks: String = "drums"

    @Flag(help: "Keep notes on the General MIDI drum channel (10).")
    var includeDrums = false

    @Flag(help: "Do not write a style token (the folder under each root) at the start of each piece.")
    var noStyles = false

    @Flag(help: "No progress bar.")
    var quiet = false

    func validate() throws {
        guard (0...1).contains(validationFraction) else { throw ValidationError("--validation-fraction must be between 0 and 1") }
        _ = try roles()
    }

    func roles() throws -> Set<TrackRole> {
        var roles = Set<TrackRole>()
        for name in dropTracks.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let role = TrackRole(rawValue: name) else {
                throw ValidationError("unknown track role '\(name)' (known: \(TrackRole.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            roles.insert(role)
        }
        return roles
    }

    func run() throws {
        var job = PrepareJob(roots: folders, output: output)
        job.seed = seed
        job.validationFraction = validationFraction
        job.useStyles = !noStyles
        job.showProgress = !quiet
        job.encoder = PieceEncoder(extractor: .init(includeDrums: includeDrums), trackFilter: TrackFilter(dropping: try roles()))
        let started = Date()
        let index: TokenIndex
        do {
            index = try job.run()
        } catch {
            throw CLIError(error)
        }
        print(PrepareSummary(index: index, output: output, seconds: Date().timeIntervalSince(started)).text)
    }
}

/// A thrown error printed as one clean line, exit code 1.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    init(_ error: Error) { message = "\(error)" }
    init(_ message: String) { self.message = message }
    var description: String { message }
}
