import ContinuoMIDI
import Foundation

/// `continuo bench parse`: notes per second for reading files and extracting notes, one
/// thread, from bytes already in memory (so the disk is not what is measured).
public struct ParseBenchmark {
    public struct Result: Sendable {
        public var files: Int
        public var bytes: Int
        public var notes: Int
        public var rounds: [Double]          // seconds per round, parse + extract
        public var parseOnlyRounds: [Double] // seconds per round, parse only

        public var median: Double { rounds.sorted()[rounds.count / 2] }
        public var parseOnlyMedian: Double { parseOnlyRounds.sorted()[parseOnlyRounds.count / 2] }
    }

    public var roots: [String]
    public var rounds = 7

    public init(roots: [String], rounds: Int = 7) {
        self.roots = roots
        self.rounds = rounds
    }

    public func run() throws -> Result {
        let files = try CorpusScanner.scan(roots)
        let contents = try files.map { try FileBytes.read($0.path) }
        let extractor = NoteExtractor()
        var result = Result(files: files.count, bytes: contents.reduce(0) { $0 + $1.count }, notes: 0, rounds: [], parseOnlyRounds: [])
        for _ in 0..<max(1, rounds) {
            var notes = 0
            let start = DispatchTime.now().uptimeNanoseconds
            for bytes in contents {
                if let read = try? MIDIFileReader.read(bytes) {
                    notes += extractor.performance(of: read.file).notes.count
                }
            }
            result.rounds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            result.notes = notes

            var events = 0
            let parseStart = DispatchTime.now().uptimeNanoseconds
            for bytes in contents {
                if let read = try? MIDIFileReader.read(bytes) { events += read.file.tracks.count }
            }
            result.parseOnlyRounds.append(Double(DispatchTime.now().uptimeNanoseconds - parseStart) / 1e9)
            precondition(events >= 0)
        }
        return result
    }
}
