/// 64-bit FNV-1a: stable across runs and machines (Swift's Hasher is seeded per process), for
/// the validation split and cache keys; not a defence against anyone.
struct FNV1a {
    private(set) var value: UInt64

    init(seed: UInt64 = 0) { value = 0xcbf2_9ce4_8422_2325 ^ seed }

    mutating func add<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
    }
}
