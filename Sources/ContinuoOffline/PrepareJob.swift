import ContinuoEncoding
import ContinuoMIDI
import Foundation

/// `continuo prepare`: encodes a corpus into a token file and its JSON index.
///
/// Files are encoded in parallel in fixed-size batches and written in scan order, so memory
/// stays bounded by one batch and the output does not depend on thread timing. The split
/// into training and validation is by piece, from a seeded hash of the file's path, so a
/// piece keeps its side when files are added or removed.
public struct PrepareJob: Sendable {
    public var roots: [String]
    public var output: String
    public var seed: UInt64 = 1
    public var validationFraction = 0.1
    public var encoder = PieceEncoder()
    public var useStyles = true
    public var showProgress = true
    public var batchSize = 64
    /// Recordings in the folders are transcribed (Basic Pitch, cached beside them) and used.
    public var transcription = AudioTranscriber.Settings()

    public init(roots: [String], output: String) {
        self.roots = roots
        self.output = output
    }

    /// Recordings become their (cached) transcriptions; the index still names the recording.
    private func transcribingRecordings(_ files: [CorpusFile], skipped: inout [TokenIndex.Skipped]) throws -> [CorpusFile] {
        let audio = files.filter { AudioTranscriber.isAudio($0.path) }
        guard !audio.isEmpty else { return files }
        let progress = ProgressBar(total: audio.count, label: "transcribe")
        progress.enabled = showProgress
        var finished = 0
        let (paths, failures) = try TranscriptionCache.midiFiles(forAudio: audio.map(\.path), settings: transcription) { event in
            if case .finished = event { finished += 1; progress.update(finished) }
        }
        progress.finish()
        var reasons: [String: String] = [:]
        for case let .failed(path, reason) in failures { reasons[path] = reason }
        return files.compactMap { file in
            guard AudioTranscriber.isAudio(file.path) else { return file }
            guard let midi = paths[file.path] else {
                skipped.append(.init(file: display(file), reason: reasons[file.path] ?? "not transcribed"))
                return nil
            }
            var transcribed = file
            transcribed.path = midi
            return transcribed
        }
    }

    public func run() throws -> TokenIndex {
        var skipped: [TokenIndex.Skipped] = []
        let scanned = try CorpusScanner.scan(roots, includeAudio: true)
        let files = try transcribingRecordings(scanned, skipped: &skipped)
        let styleNames = Self.styleSlots(for: files)
        let writer = try TokenFile.Writer(path: output)
        let progress = ProgressBar(total: files.count, label: "prepare")
        progress.enabled = showProgress

        var pieces: [TokenIndex.Piece] = []
        var warnings: [TokenIndex.Skipped] = []
        var notes = 0
        var stylePieces: [String: Int] = [:]

        for batchStart in stride(from: 0, to: files.count, by: batchSize) {
            let batch = Array(files[batchStart..<min(files.count, batchStart + batchSize)])
            let outcomes = encodeInParallel(batch, styleNames: styleNames)
            for (file, outcome) in zip(batch, outcomes) {
                switch outcome {
                case let .skipped(reason):
                    skipped.append(.init(file: display(file), reason: reason))
                case let .encoded(piece):
                    let split: TokenIndex.Split = Self.isValidation(file, seed: seed, fraction: validationFraction) ? .validation : .train
                    pieces.append(.init(file: display(file), style: file.style, split: split, offset: writer.tokenCount,
                                        count: piece.tokens.count, notes: piece.notes, beats: piece.beats))
                    try writer.append(piece.tokens)
                    notes += piece.notes
                    stylePieces[file.style, default: 0] += 1
                    if !piece.warnings.isEmpty {
                        warnings.append(.init(file: display(file), reason: piece.warnings.map(\.description).joined(separator: "; ")))
                    }
                }
            }
            progress.update(batchStart + batch.count, detail: "\(notes) notes")
        }
        try writer.finish()
        progress.finish()

        // A tiny corpus (a keepers folder) may hash every piece into training; one piece
        // validates then, so that training can still measure itself.
        if validationFraction > 0, pieces.count >= 2, !pieces.contains(where: { $0.split == .validation }) {
            pieces[pieces.count - 1].split = .validation
        }
        let train = pieces.filter { $0.split == .train }
        let validation = pieces.filter { $0.split == .validation }
        let styles = stylePieces.keys.sorted().map { name in
            TokenIndex.Style(name: name, slot: styleNames[name], pieces: stylePieces[name] ?? 0)
        }
        let index = TokenIndex(
            vocabulary: .current, seed: seed, validationFraction: validationFraction,
            sources: roots.map { .init(root: $0) }, styles: styles, pieces: pieces,
            totals: .init(filesFound: scanned.count, filesUsed: pieces.count, filesSkipped: skipped.count, notes: notes,
                          tokens: writer.tokenCount, trainTokens: train.reduce(0) { $0 + $1.count },
                          validationTokens: validation.reduce(0) { $0 + $1.count },
                          trainPieces: train.count, validationPieces: validation.count),
            skipped: skipped, warnings: warnings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileBytes.write([UInt8](try encoder.encode(index)), to: TokenFile.indexPath(for: output))
        return index
    }

    private func encodeInParallel(_ batch: [CorpusFile], styleNames: [String: Int]) -> [PieceEncoder.Outcome] {
        let results = ResultSlots<PieceEncoder.Outcome>(count: batch.count)
        let encoder = self.encoder
        let useStyles = self.useStyles
        DispatchQueue.concurrentPerform(iterations: batch.count) { i in
            let file = batch[i]
            do {
                let bytes = try FileBytes.read(file.path)
                results[i] = encoder.encode(bytes, name: file.relativePath, style: useStyles ? styleNames[file.style] : nil)
            } catch {
                results[i] = .skipped(reason: "\(error)")
            }
        }
        return results.values.map { $0 ?? .skipped(reason: "not processed") }
    }

    private func display(_ file: CorpusFile) -> String {
        file.relativePath.hasPrefix(file.style + "/") ? file.relativePath : "\(file.style)/\(file.relativePath)"
    }

    /// Style slots by name, in sorted order; styles past the 16 slots get none.
    static func styleSlots(for files: [CorpusFile]) -> [String: Int] {
        let names = Set(files.map(\.style)).sorted()
        var slots: [String: Int] = [:]
        for (slot, name) in names.prefix(Vocabulary.styleSlots).enumerated() { slots[name] = slot }
        return slots
    }

    /// FNV-1a over seed and path: stable across runs, machines and corpus changes.
    static func isValidation(_ file: CorpusFile, seed: UInt64, fraction: Double) -> Bool {
        var fnv = FNV1a(seed: seed)
        fnv.add("\(file.style)/\(file.relativePath)".utf8)
        var hash = fnv.value
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return Double(hash % 1_000_000) < fraction * 1_000_000
    }
}
