/// What a client can subscribe to. Each event belongs to exactly one topic, except `dropped`,
/// which every subscriber gets because it reports loss in the others.
public enum Topic: String, CaseIterable, Sendable, Hashable, Codable, Comparable {
    /// Every note-on/off in (from the performer) and out (from the machine).
    case notes
    /// Every parameter change, whoever made it (a `set`, a preset load, a CC knob).
    case params
    /// The mode or the paused state changed.
    case mode
    /// A model was swapped in.
    case model
    /// JACK reported an xrun.
    case xruns
    /// Something went wrong that no request is waiting to hear about.
    case warnings
    /// What the machine hears in the performer: the followed tempo, the key, the chord.
    case listening

    public static func < (lhs: Topic, rhs: Topic) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The topics one client listens to; the daemon checks `wants` before queueing an event.
public struct Subscription: Sendable, Hashable {
    public private(set) var topics: Set<Topic> = []

    public init(topics: Set<Topic> = []) { self.topics = topics }

    public var isEmpty: Bool { topics.isEmpty }

    public mutating func subscribe(_ more: Set<Topic>) { topics.formUnion(more) }

    public mutating func unsubscribe(_ less: Set<Topic>) { topics.subtract(less) }

    /// `dropped` goes to anyone subscribed to anything.
    public func wants(_ event: Event) -> Bool {
        guard let topic = event.topic else { return !topics.isEmpty }
        return topics.contains(topic)
    }
}
