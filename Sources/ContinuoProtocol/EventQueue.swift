/// One client's pending events: bounded, so a subscriber that reads slowly (or never) costs a
/// fixed amount of memory, and coalescing, so what it does get is still the truth.
///
/// - State events (a parameter's value, the mode, the model) keep only the latest value per
///   instance and key: a burst of 10,000 `set temperature` leaves one pending event, holding the
///   last value. The replacement moves to the back, so the order of delivery stays the order in
///   which the current values arose.
/// - xruns per instance merge into one event whose count adds up.
/// - Notes and warnings queue first-in first-out. When the queue is full the oldest note goes
///   first, then the oldest warning; state events are shed only if the queue holds nothing
///   else. Every event shed is counted, and the next `pop` returns a `dropped` event with the
///   counts before anything else.
///
/// `count` never exceeds `capacity`; the `dropped` counters are a few integers on top.
public struct EventQueue: Sendable {
    public let capacity: Int
    /// Events shed over the queue's life (those reported in `dropped` events included).
    public private(set) var droppedTotal = 0

    private struct Entry: Sendable {
        var sequence: UInt64
        var event: Event
    }

    /// What a state event replaces: the same kind of state on the same instance.
    private enum Key: Hashable, Sendable {
        case param(String?, Parameter)
        case mode(String?)
        case model(String?)
        case xrun(String?)
        case tempo(String?)
        case harmony(String?)
    }

    private var nextSequence: UInt64 = 0
    private var notes = FIFO<Entry>()
    private var warnings = FIFO<Entry>()
    /// State events in delivery order; few (parameters × instances), so searched linearly.
    private var states: [(key: Key, entry: Entry)] = []
    private var pendingDropped: [Topic: Int] = [:]

    public init(capacity: Int = Limits.eventQueueCapacity) {
        self.capacity = max(1, capacity)
    }

    /// Events waiting, not counting a pending `dropped` report.
    public var count: Int { notes.count + warnings.count + states.count }

    public var isEmpty: Bool { count == 0 && pendingDropped.isEmpty }

    public mutating func push(_ event: Event) {
        let sequence = nextSequence
        nextSequence += 1
        let entry = Entry(sequence: sequence, event: event)
        switch event.kind {
        case .note:
            if count >= capacity, !shedOldest(from: [.notes]) {
                return shed(.notes)   // full of more important events: the new note goes
            }
            notes.append(entry)
        case .warning:
            if count >= capacity, !shedOldest(from: [.notes, .warnings]) {
                return shed(.warnings)
            }
            warnings.append(entry)
        case let .dropped(_, topics):
            // Someone upstream shed events for this client: report them with ours.
            for (topic, n) in topics where n > 0 { shed(topic, n) }
        case let .param(parameter, _):
            pushState(.param(event.instance, parameter), entry)
        case .mode:
            pushState(.mode(event.instance), entry)
        case .model:
            pushState(.model(event.instance), entry)
        case .xrun:
            pushState(.xrun(event.instance), entry)
        case .tempo:
            pushState(.tempo(event.instance), entry)
        case .harmony:
            pushState(.harmony(event.instance), entry)
        }
    }

    /// The next event to send: a `dropped` report if anything was shed, else the oldest event.
    public mutating func pop() -> Event? {
        if !pendingDropped.isEmpty {
            let report = Event(.dropped(count: pendingDropped.values.reduce(0, +), topics: pendingDropped))
            pendingDropped = [:]
            return report
        }
        let candidates: [(Int, UInt64)] = [notes.first.map { (0, $0.sequence) }, warnings.first.map { (1, $0.sequence) },
                                           states.first.map { (2, $0.entry.sequence) }].compactMap { $0 }
        guard let oldest = candidates.min(by: { $0.1 < $1.1 }) else { return nil }
        switch oldest.0 {
        case 0: return notes.popFirst()?.event
        case 1: return warnings.popFirst()?.event
        default: return states.removeFirst().entry.event
        }
    }

    /// Up to `limit` events, in order (what fits one write to the socket).
    public mutating func drain(limit: Int = .max) -> [Event] {
        var events: [Event] = []
        while events.count < limit, let event = pop() { events.append(event) }
        return events
    }

    private mutating func pushState(_ key: Key, _ entry: Entry) {
        var entry = entry
        if let index = states.firstIndex(where: { $0.key == key }) {
            let old = states.remove(at: index).entry
            if case let .xrun(previous) = old.event.kind, case let .xrun(new) = entry.event.kind {
                entry.event.kind = .xrun(count: previous + new)
            }
        } else if count >= capacity, !shedOldest(from: [.notes, .warnings]) {
            // Only state left: the oldest state event goes; newer state is the truer one.
            let old = states.removeFirst().entry
            if let topic = old.event.topic { shed(topic) }
        }
        states.append((key, entry))
    }

    /// Drops the oldest queued event of the first non-empty topic; false if all were empty.
    private mutating func shedOldest(from topics: [Topic]) -> Bool {
        for topic in topics {
            switch topic {
            case .notes where !notes.isEmpty:
                notes.popFirst()
            case .warnings where !warnings.isEmpty:
                warnings.popFirst()
            default:
                continue
            }
            shed(topic)
            return true
        }
        return false
    }

    private mutating func shed(_ topic: Topic, _ n: Int = 1) {
        pendingDropped[topic, default: 0] += n
        droppedTotal += n
    }
}
