/// The last `capacity` values, oldest overwritten first. Storage is allocated once so that
/// accepting a token on the real-time path never grows anything.
struct HistoryRing<Element: Sendable>: Sendable {
    private var storage: [Element]
    private var nextIndex = 0
    private(set) var count = 0

    init(capacity: Int, filler: Element) {
        precondition(capacity > 0)
        storage = [Element](repeating: filler, count: capacity)
    }

    var capacity: Int { storage.count }

    mutating func append(_ element: Element) {
        storage[nextIndex] = element
        nextIndex += 1
        if nextIndex == storage.count { nextIndex = 0 }
        if count < storage.count { count += 1 }
    }

    /// `back` 0 is the latest value, `count - 1` the oldest kept.
    subscript(back back: Int) -> Element {
        precondition(back >= 0 && back < count, "history index out of range")
        var index = nextIndex - 1 - back
        if index < 0 { index += storage.count }
        return storage[index]
    }

    mutating func removeAll() {
        nextIndex = 0
        count = 0
    }
}
