import XCTest
@testable import ContinuoModel
import ContinuoEncoding

final class SafetensorsTests: XCTestCase {
    private let configuration = LSTMConfiguration(vocabularySize: 7, embeddingSize: 5, hiddenSize: 4, layerCount: 2)

    private func validFile() throws -> [UInt8] {
        var model = try LSTMModel(configuration: configuration, seed: 9)
        model.metadata["vocabulary_version"] = "v1"
        return model.safetensorsBytes(metadata: ["validation_loss": "1.25", "quote\"key": "line\nbreak"])
    }

    private func load(_ bytes: [UInt8], vocabulary: Int? = nil) throws -> LSTMModel {
        try bytes.withUnsafeBytes { try LSTMModel(safetensors: $0, expectedVocabularySize: vocabulary) }
    }

    private func expect(_ bytes: [UInt8], vocabulary: Int? = nil, _ check: (ModelError) -> Bool,
                        file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try load(bytes, vocabulary: vocabulary), file: file, line: line) { error in
            guard let error = error as? ModelError else { return XCTFail("untyped error \(error)", file: file, line: line) }
            XCTAssertTrue(check(error), "unexpected \(error)", file: file, line: line)
            XCTAssertFalse(error.description.isEmpty)
        }
    }

    /// Replaces `old` with `new` (same length) inside the JSON header.
    private func patchHeader(_ bytes: [UInt8], _ old: String, _ new: String) -> [UInt8] {
        precondition(old.utf8.count == new.utf8.count)
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
        var header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        precondition(header.contains(old), "fixture lacks \(old)")
        header = header.replacingOccurrences(of: old, with: new)
        return Array(bytes[0..<8]) + Array(header.utf8) + Array(bytes[(8 + headerLength)...])
    }

    private func file(header: String, data: [UInt8]) -> [UInt8] {
        let json = Array(header.utf8)
        let n = UInt64(json.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + json + data
    }

    func testRoundTripPreservesParametersAndMetadata() throws {
        let original = try LSTMModel(configuration: configuration, seed: 9)
        let loaded = try load(try validFile(), vocabulary: 7)
        XCTAssertEqual(loaded.parameters, original.parameters)
        XCTAssertEqual(loaded.configuration, configuration)
        XCTAssertEqual(loaded.metadata["vocabulary_version"], "v1")
        XCTAssertEqual(loaded.metadata["validation_loss"], "1.25")
        XCTAssertEqual(loaded.metadata["quote\"key"], "line\nbreak")
        XCTAssertEqual(loaded.metadata[LSTMModel.MetadataKey.layers], "2")
    }

    func testBFloat16AndFloat16AreAccepted() throws {
        // head.bias as BF16 / F16 values 1.0 and -2.0 ... padded into a hand-made file.
        let model = try LSTMModel(configuration: configuration, seed: 9)
        let bytes = try validFile()
        let header = try bytes.withUnsafeBytes { try SafetensorsHeader(parsing: $0) }
        XCTAssertEqual(header.tensors["head.bias"]?.dtype, .f32)
        let bf16 = file(header: #"{"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"y":{"dtype":"F16","shape":[2],"data_offsets":[4,8]}}"#,
                        data: [0x80, 0x3F, 0x00, 0xC0, 0x00, 0x3C, 0x00, 0xC0])
        try bf16.withUnsafeBytes { raw in
            let parsed = try SafetensorsHeader(parsing: raw)
            var x = [Float](repeating: 0, count: 2), y = x
            try x.withUnsafeMutableBufferPointer { try parsed.readFloats("x", from: raw, into: $0) }
            try y.withUnsafeMutableBufferPointer { try parsed.readFloats("y", from: raw, into: $0) }
            XCTAssertEqual(x, [1, -2])
            XCTAssertEqual(y, [1, -2])
        }
        XCTAssertEqual(model.parameters.count, model.layout.totalCount)
    }

    func testCorruptFilesAreRejectedWithTypedErrors() throws {
        let good = try validFile()
        expect([1, 2, 3]) { if case .truncatedHeader = $0 { true } else { false } }
        var huge = good
        huge[5] = 0x7F
        expect(huge) { if case .headerLengthExceedsFile = $0 { true } else { false } }
        expect(Array(good.prefix(40))) { if case .headerLengthExceedsFile = $0 { true } else { false } }
        expect(patchHeader(good, "{\"__metadata__\"", "[\"__metadata__\"")) { if case .invalidJSON = $0 { true } else { false } }
        expect(patchHeader(good, "\"head.bias\"", "\"head.biaz\"")) { $0 == .missingTensor("head.bias") }
        expect(patchHeader(good, "\"shape\":[7,4]", "\"shape\":[4,7]")) {
            $0 == .wrongShape(tensor: "head.weight", expected: [7, 4], actual: [4, 7])
        }
        expect(good, vocabulary: 388) { $0 == .vocabularyMismatch(expected: 388, actual: 7) }
        expect(patchHeader(good, "\"F32\"", "\"Q32\"")) { if case .unknownDType(_, "Q32") = $0 { true } else { false } }
        expect(patchHeader(good, "\"continuo.layers\":\"2\"", "\"continuo.layerz\":\"2\"")) {
            $0 == .missingMetadata(key: "continuo.layers")
        }
        // Truncated data: header intact, offsets now beyond the end.
        expect(Array(good.dropLast(8))) { if case .offsetsOutOfRange = $0 { true } else { false } }
        expect(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                    data: [UInt8](repeating: 0, count: 12))) { if case .overlappingTensors = $0 { true } else { false } }
        expect(file(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))) {
            $0 == .sizeMismatch(tensor: "a", expectedBytes: 12, actualBytes: 8)
        }
        expect(file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, data: [UInt8](repeating: 0, count: 8))) {
            if case .invalidJSON = $0 { true } else { false }
        }
    }

    func testLoadingTheDefaultModelIsFast() throws {
        let model = try LSTMModel(configuration: LSTMConfiguration(vocabularySize: Vocabulary.size), seed: 1)
        let bytes = model.safetensorsBytes()
        let start = ContinuousClock.now
        let loaded = try load(bytes, vocabulary: Vocabulary.size)
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(loaded.parameters.count, model.parameters.count)
        XCTAssertLessThan(elapsed, .milliseconds(200), "debug-build load of \(bytes.count) bytes took \(elapsed)")
    }
}
