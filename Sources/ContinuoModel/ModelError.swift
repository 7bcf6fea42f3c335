/// Everything that can go wrong in ContinuoModel; each case names the offending field or tensor.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidConfiguration(String)
    case truncatedHeader(byteCount: Int)
    case headerLengthExceedsFile(headerLength: UInt64, fileSize: Int)
    case invalidJSON(String)
    case invalidHeaderEntry(name: String, reason: String)
    case unknownDType(tensor: String, dtype: String)
    case missingTensor(String)
    case wrongShape(tensor: String, expected: [Int], actual: [Int])
    case offsetsOutOfRange(tensor: String, begin: Int, end: Int, dataSize: Int)
    case sizeMismatch(tensor: String, expectedBytes: Int, actualBytes: Int)
    case overlappingTensors(String, String)
    case missingMetadata(key: String)
    case invalidMetadata(key: String, value: String)
    case vocabularyMismatch(expected: Int, actual: Int)
    case tokenOutOfRange(token: Int, vocabularySize: Int)
    case shapeMismatch(String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid model configuration: \(reason)"
        case .truncatedHeader(let count): "safetensors: file of \(count) bytes is too short for the 8-byte header length"
        case .headerLengthExceedsFile(let length, let size): "safetensors: header length \(length) exceeds file size \(size)"
        case .invalidJSON(let reason): "safetensors: header is not valid JSON: \(reason)"
        case .invalidHeaderEntry(let name, let reason): "safetensors: entry '\(name)': \(reason)"
        case .unknownDType(let tensor, let dtype): "safetensors: tensor '\(tensor)' has unsupported dtype '\(dtype)'"
        case .missingTensor(let name): "safetensors: tensor '\(name)' is missing"
        case .wrongShape(let tensor, let expected, let actual): "safetensors: tensor '\(tensor)' has shape \(actual), expected \(expected)"
        case .offsetsOutOfRange(let tensor, let begin, let end, let size): "safetensors: tensor '\(tensor)' data_offsets [\(begin), \(end)] outside data of \(size) bytes"
        case .sizeMismatch(let tensor, let expected, let actual): "safetensors: tensor '\(tensor)' spans \(actual) bytes, its shape and dtype need \(expected)"
        case .overlappingTensors(let a, let b): "safetensors: tensors '\(a)' and '\(b)' overlap"
        case .missingMetadata(let key): "safetensors: metadata key '\(key)' is missing"
        case .invalidMetadata(let key, let value): "safetensors: metadata '\(key)' has invalid value '\(value)'"
        case .vocabularyMismatch(let expected, let actual): "model vocabulary size \(actual) does not match the expected \(expected)"
        case .tokenOutOfRange(let token, let size): "token \(token) outside vocabulary of \(size)"
        case .shapeMismatch(let reason): "shape mismatch: \(reason)"
        }
    }
}
