import ContinuoJSON

/// Element types a safetensors file may declare. Only F32, F16 and BF16 can be read as floats.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8"
    case bool = "BOOL"

    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: 8
        case .f32, .i32, .u32: 4
        case .f16, .bf16, .i16, .u16: 2
        case .i8, .u8, .bool: 1
        }
    }
}

/// One tensor entry of a safetensors header.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Byte range relative to the start of the data section.
    public let dataRange: Range<Int>
}

/// A parsed and validated safetensors header: 8-byte little-endian header length, JSON header,
/// then raw little-endian tensor data. Parsing checks the length against the file size, the JSON,
/// every entry's dtype/shape/offsets, that offsets stay inside the data and do not overlap.
public struct SafetensorsHeader: Sendable {
    public let metadata: [String: String]
    public let tensors: [String: SafetensorsTensorInfo]
    /// Absolute offset of the data section in the file.
    public let dataStart: Int
    public let dataSize: Int

    /// Rejects headers larger than this (a corrupt length would otherwise ask for gigabytes).
    public static let maximumHeaderLength = 100 << 20

    public init(parsing bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count >= 8 else { throw ModelError.truncatedHeader(byteCount: bytes.count) }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(bytes.count - 8), length <= UInt64(Self.maximumHeaderLength) else {
            throw ModelError.headerLengthExceedsFile(headerLength: length, fileSize: bytes.count)
        }
        let headerEnd = 8 + Int(length)
        let json: JSONValue
        switch JSONReader.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<headerEnd])) {
        case .success(let value): json = value
        case .failure(let error): throw ModelError.invalidJSON("\(error.reason) at byte \(error.byteOffset)")
        }
        guard case .object(let entries) = json else { throw ModelError.invalidJSON("header is not an object") }
        dataStart = headerEnd
        dataSize = bytes.count - headerEnd
        var metadata: [String: String] = [:]
        var tensors: [String: SafetensorsTensorInfo] = [:]
        for (name, entry) in entries {
            if name == "__metadata__" {
                guard case .object(let pairs) = entry else {
                    throw ModelError.invalidHeaderEntry(name: name, reason: "must be an object of strings")
                }
                for (key, value) in pairs {
                    guard let text = value.stringValue else {
                        throw ModelError.invalidHeaderEntry(name: name, reason: "value of '\(key)' is not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            tensors[name] = try Self.tensorInfo(name: name, entry: entry, dataSize: dataSize)
        }
        let ordered = tensors.values.sorted { ($0.dataRange.lowerBound, $0.dataRange.upperBound) < ($1.dataRange.lowerBound, $1.dataRange.upperBound) }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where next.dataRange.lowerBound < previous.dataRange.upperBound {
            throw ModelError.overlappingTensors(previous.name, next.name)
        }
        self.metadata = metadata
        self.tensors = tensors
    }

    private static func tensorInfo(name: String, entry: JSONValue, dataSize: Int) throws -> SafetensorsTensorInfo {
        guard case .object(let fields) = entry else {
            throw ModelError.invalidHeaderEntry(name: name, reason: "not an object")
        }
        guard let dtypeText = fields["dtype"]?.stringValue else {
            throw ModelError.invalidHeaderEntry(name: name, reason: "missing string 'dtype'")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeText) else {
            throw ModelError.unknownDType(tensor: name, dtype: dtypeText)
        }
        guard case .array(let dims)? = fields["shape"] else {
            throw ModelError.invalidHeaderEntry(name: name, reason: "missing array 'shape'")
        }
        var shape: [Int] = []
        var elements = 1
        for dim in dims {
            guard case .int(let d) = dim, d >= 0, d <= 1 << 40 else {
                throw ModelError.invalidHeaderEntry(name: name, reason: "shape entries must be non-negative integers")
            }
            shape.append(d)
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow, product <= 1 << 40 else {
                throw ModelError.invalidHeaderEntry(name: name, reason: "shape \(shape) too large")
            }
            elements = product
        }
        guard case .array(let offsets)? = fields["data_offsets"], offsets.count == 2,
              case .int(let begin) = offsets[0], case .int(let end) = offsets[1] else {
            throw ModelError.invalidHeaderEntry(name: name, reason: "'data_offsets' must be [begin, end] integers")
        }
        guard begin >= 0, begin <= end, end <= dataSize else {
            throw ModelError.offsetsOutOfRange(tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        guard end - begin == elements * dtype.byteSize else {
            throw ModelError.sizeMismatch(tensor: name, expectedBytes: elements * dtype.byteSize, actualBytes: end - begin)
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, dataRange: begin..<end)
    }

    /// Copies tensor `name` as floats into `destination` (exactly its element count), converting
    /// F16/BF16. F32 is a straight memcpy (both safetensors and supported hosts are little-endian).
    public func readFloats(_ name: String, from bytes: UnsafeRawBufferPointer,
                           into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let info = tensors[name] else { throw ModelError.missingTensor(name) }
        let count = info.dataRange.count / info.dtype.byteSize
        guard count == destination.count else {
            throw ModelError.sizeMismatch(tensor: name, expectedBytes: destination.count * info.dtype.byteSize,
                                          actualBytes: info.dataRange.count)
        }
        guard dataStart + info.dataRange.upperBound <= bytes.count else {
            throw ModelError.offsetsOutOfRange(tensor: name, begin: info.dataRange.lowerBound,
                                               end: info.dataRange.upperBound, dataSize: bytes.count - dataStart)
        }
        guard count > 0 else { return }
        let source = UnsafeRawBufferPointer(rebasing: bytes[(dataStart + info.dataRange.lowerBound)..<(dataStart + info.dataRange.upperBound)])
        switch info.dtype {
        case .f32:
            UnsafeMutableRawBufferPointer(destination).copyMemory(from: source)
        case .bf16:
            for i in 0..<count {
                let bits = UInt32(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                destination[i] = Float(bitPattern: bits << 16)
            }
        case .f16:
            for i in 0..<count {
                destination[i] = halfToFloat(UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        default:
            throw ModelError.unknownDType(tensor: name, dtype: info.dtype.rawValue)
        }
    }
}

/// IEEE binary16 -> binary32, including subnormals, infinities and NaN.
func halfToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h >> 15) << 31
    let exponent = UInt32((h >> 10) & 0x1F)
    var mantissa = UInt32(h & 0x3FF)
    if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
    if exponent == 0 {
        if mantissa == 0 { return Float(bitPattern: sign) }
        var e: UInt32 = 127 - 15 + 1
        while mantissa & 0x400 == 0 { mantissa <<= 1; e -= 1 }
        return Float(bitPattern: sign | (e << 23) | ((mantissa & 0x3FF) << 13))
    }
    return Float(bitPattern: sign | ((exponent + 127 - 15) << 23) | (mantissa << 13))
}

/// Writes float32 safetensors files.
struct SafetensorsWriter {
    private var entries: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)] = []
    var metadata: [String: String] = [:]

    /// `values` must stay valid until `encode()` returns.
    mutating func add(_ name: String, shape: [Int], values: UnsafeBufferPointer<Float>) {
        entries.append((name, shape, values))
    }

    func encode() -> [UInt8] {
        // Tensors in the order added, so the header reads in data order.
        var members: [(String, JSONValue?)] = []
        if !metadata.isEmpty { members.append(("__metadata__", .object(metadata.mapValues(JSONValue.string)))) }
        var offset = 0
        for entry in entries {
            let bytes = entry.values.count * 4
            members.append((entry.name, ["dtype": "F32", "shape": .array(entry.shape.map(JSONValue.int)),
                                         "data_offsets": [.int(offset), .int(offset + bytes)]]))
            offset += bytes
        }
        let header = JSONWriter.object(members)
        var headerBytes = Array(header.utf8)
        // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
        while (8 + headerBytes.count) % 8 != 0 { headerBytes.append(0x20) }
        var file = [UInt8](repeating: 0, count: 8 + headerBytes.count + offset)
        let length = UInt64(headerBytes.count)
        file.withUnsafeMutableBytes { out in
            for i in 0..<8 { out[i] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(i))) }
            out.baseAddress!.advanced(by: 8).copyMemory(from: headerBytes, byteCount: headerBytes.count)
            var cursor = 8 + headerBytes.count
            for entry in entries where entry.values.count > 0 {
                out.baseAddress!.advanced(by: cursor).copyMemory(from: entry.values.baseAddress!, byteCount: entry.values.count * 4)
                cursor += entry.values.count * 4
            }
        }
        return file
    }
}
