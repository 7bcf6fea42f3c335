import ContinuoTestSupport
import Foundation
import Testing
@testable import ContinuoMIDI
import ContinuoRandom

/// Thousands of damaged real files: the reader must answer each with a file (maybe with
/// warnings) or a typed error, never crash or hang, and what it extracts must be sane.
@Suite struct FuzzTests {
    @Test func mutatedAndTruncatedRealFiles() throws {
        let originals = try Fixtures.midiFiles(under: Fixtures.sample).map(Fixtures.bytes).filter { $0.count < 40_000 }
        #expect(originals.count >= 30)
        var random = SeededRandom(seed: 2026)
        var read = 0, rejected = 0
        for round in 0..<4000 {
            var bytes = originals[round % originals.count]
            switch random.below(5) {
            case 0: bytes.removeLast(random.below(bytes.count))
            case 1:
                for _ in 0..<(1 + random.below(8)) { bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next()) }
            case 2:
                let at = random.below(bytes.count)
                bytes.insert(contentsOf: (0..<(1 + random.below(16))).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
            case 3:
                // Corrupt a length field: the header's or the first track's.
                let at = [4, 18][random.below(2)]
                for i in 0..<4 where at + i < bytes.count { bytes[at + i] = UInt8(truncatingIfNeeded: random.next()) }
            default:
                bytes = Array(bytes.prefix(14 + random.below(64)))
            }
            for strict in [false, true] {
                do {
                    let result = try MIDIFileReader.read(bytes, name: "fuzz", strict: strict)
                    read += 1
                    for note in NoteExtractor(includeDrums: true).performance(of: result.file).notes {
                        #expect(note.offsetTick >= note.onsetTick)
                        #expect(note.durationSeconds >= 0)
                    }
                } catch {
                    rejected += 1
                    #expect(error.file == "fuzz")
                    #expect(!error.problem.explanation.isEmpty)
                }
            }
        }
        #expect(read > 0)
        #expect(rejected > 0)
    }
}

extension SeededRandom {
    /// 0..<n, and 0 for an empty range, so a mutation of an empty file needs no special case.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}
