import ContinuoEncoding
import Foundation

/// The index written beside a token file (`data.ctok.json`).
public struct TokenIndex: Codable, Sendable {
    public struct VocabularyInfo: Codable, Sendable, Equatable {
        public var version: Int
        public var size: Int
        public var stepsPerBeat: Int
        public var maxShiftSteps: Int
        public var velocityBins: Int
        public var styleSlots: Int

        public static let current = VocabularyInfo(
            version: Vocabulary.version, size: Vocabulary.size, stepsPerBeat: Vocabulary.stepsPerBeat,
            maxShiftSteps: Vocabulary.maxShiftSteps, velocityBins: Vocabulary.velocityBins, styleSlots: Vocabulary.styleSlots)
    }

    public struct Source: Codable, Sendable {
        public var root: String
    }

    public struct Style: Codable, Sendable {
        public var name: String
        /// Style slot 0...15; nil when there were more styles than slots.
        public var slot: Int?
        public var pieces: Int
    }

    public enum Split: String, Codable, Sendable { case train, validation }

    public struct Piece: Codable, Sendable {
        public var file: String
        public var style: String
        public var split: Split
        /// Offset of the piece's first token, in tokens from the start of the token data.
        public var offset: Int
        public var count: Int
        public var notes: Int
        public var beats: Double
    }

    public struct Totals: Codable, Sendable {
        public var filesFound: Int
        public var filesUsed: Int
        public var filesSkipped: Int
        public var notes: Int
        public var tokens: Int
        public var trainTokens: Int
        public var validationTokens: Int
        public var trainPieces: Int
        public var validationPieces: Int
    }

    public struct Skipped: Codable, Sendable {
        public var file: String
        public var reason: String
    }

    public var format = "continuo-tokens"
    public var formatVersion = TokenFile.formatVersion
    public var vocabulary: VocabularyInfo
    public var seed: UInt64
    public var validationFraction: Double
    public var sources: [Source]
    public var styles: [Style]
    public var pieces: [Piece]
    public var totals: Totals
    public var skipped: [Skipped]
    public var warnings: [Skipped]
}

/// `.ctok`: a 32-byte header ("CTOK", format version, vocabulary version, vocabulary size,
/// token count; little-endian UInt32/UInt64) followed by UInt16 little-endian tokens.
public enum TokenFile {
    public static let formatVersion = 1
    public static let headerSize = 32
    public static let magic: [UInt8] = Array("CTOK".utf8)

    public static func indexPath(for tokenPath: String) -> String { tokenPath + ".json" }

    static func header(tokenCount: Int) -> [UInt8] {
        var header = magic
        for value in [UInt32(formatVersion), UInt32(Vocabulary.version), UInt32(Vocabulary.size)] {
            withUnsafeBytes(of: value.littleEndian) { header += $0 }
        }
        withUnsafeBytes(of: UInt64(tokenCount).littleEndian) { header += $0 }
        header += [UInt8](repeating: 0, count: headerSize - header.count)
        return header
    }

    /// Streams tokens to disk so memory does not grow with the corpus.
    public final class Writer {
        private let handle: FileHandle
        private let path: String
        public private(set) var tokenCount = 0

        public init(path: String) throws {
            self.path = path
            guard FileManager.default.createFile(atPath: path, contents: Data(TokenFile.header(tokenCount: 0))),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw OfflineError.cannotWrite(path: path, reason: "cannot create the file")
            }
            self.handle = handle
            handle.seekToEndOfFile()
        }

        public func append(_ tokens: [UInt16]) throws {
            let data = tokens.withUnsafeBufferPointer { buffer in
                Data(buffer: UnsafeBufferPointer(start: buffer.baseAddress.map { UnsafePointer($0) }, count: buffer.count))
            }
            try handle.write(contentsOf: data)
            tokenCount += tokens.count
        }

        /// Writes the final token count into the header and closes the file.
        public func finish() throws {
            try handle.seek(toOffset: 0)
            try handle.write(contentsOf: Data(TokenFile.header(tokenCount: tokenCount)))
            try handle.close()
        }
    }

    /// Reads a token file fully (tests, small data) after checking its header.
    public static func readTokens(path: String) throws -> [UInt16] {
        let bytes = try FileBytes.read(path)
        guard bytes.count >= headerSize, Array(bytes[0..<4]) == magic else {
            throw OfflineError.badTokenFile(path: path, reason: "not a Continuo token file (no CTOK header)")
        }
        let count = bytes[16..<24].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard (bytes.count - headerSize) / 2 == count else {
            throw OfflineError.badTokenFile(path: path, reason: "header says \(count) tokens, file holds \((bytes.count - headerSize) / 2)")
        }
        var tokens = [UInt16](repeating: 0, count: count)
        for i in 0..<count {
            tokens[i] = UInt16(bytes[headerSize + 2 * i]) | UInt16(bytes[headerSize + 2 * i + 1]) << 8
        }
        return tokens
    }

    public static func readIndex(path: String) throws -> TokenIndex {
        let bytes = try FileBytes.read(path)
        do {
            return try JSONDecoder().decode(TokenIndex.self, from: Data(bytes))
        } catch {
            throw OfflineError.badTokenFile(path: path, reason: "unreadable index: \(error)")
        }
    }
}
