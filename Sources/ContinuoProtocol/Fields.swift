/// Typed access to a request object's fields, producing the documented error for each way a
/// field can be wrong. Used only by the parser; it throws typed errors internally, and the
/// parser turns them into a Result.
struct Fields {
    let members: [String: JSONValue]
    /// How the command is named in messages: "set", "preset load".
    let context: String

    /// Fields every request may carry.
    static let envelope: Set<String> = ["id", "cmd", "instance"]

    /// Rejects fields the command does not take, so a typo (`"valeu"`) is an error rather than
    /// a silently ignored argument.
    func allowOnly(_ allowed: Set<String>) throws(ProtocolError) {
        let unknown = members.keys.filter { !Self.envelope.contains($0) && !allowed.contains($0) }.sorted()
        guard let first = unknown.first else { return }
        let takes = allowed.isEmpty ? "takes no other fields" : "takes " + allowed.sorted().joined(separator: ", ")
        throw ProtocolError(.invalidRequest, "unknown field '\(clip(first))' for \(context); it \(takes)")
    }

    func requiredString(_ key: String) throws(ProtocolError) -> String {
        guard let value = members[key] else { throw ProtocolError(.missingArgument, "\(context) needs '\(key)'") }
        return try string(key, value)
    }

    func optionalString(_ key: String) throws(ProtocolError) -> String? {
        guard let value = members[key] else { return nil }
        return try string(key, value)
    }

    private func string(_ key: String, _ value: JSONValue) throws(ProtocolError) -> String {
        guard let text = value.stringValue else {
            throw ProtocolError(.wrongType, "\(context): '\(key)' must be a string, got \(value.typeName)")
        }
        return text
    }

    func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(ProtocolError) -> Int? {
        guard let value = members[key] else { return nil }
        guard let number = value.intValue else {
            if let real = value.doubleValue, real.rounded() == real {
                throw ProtocolError(.outOfRange, "\(context): '\(key)' must be in \(range.lowerBound)...\(range.upperBound)")
            }
            throw ProtocolError(.wrongType, "\(context): '\(key)' must be an integer, got \(value.typeName)")
        }
        guard range.contains(number) else {
            throw ProtocolError(.outOfRange, "\(context): '\(key)' must be in \(range.lowerBound)...\(range.upperBound), got \(number)")
        }
        return number
    }

    func requiredName(_ key: String) throws(ProtocolError) -> String {
        try checkedName(key, requiredString(key))
    }

    func optionalName(_ key: String) throws(ProtocolError) -> String? {
        guard let name = try optionalString(key) else { return nil }
        return try checkedName(key, name)
    }

    private func checkedName(_ key: String, _ name: String) throws(ProtocolError) -> String {
        guard Names.isValid(name) else {
            throw ProtocolError(.outOfRange, "\(context): '\(key)' must be 1 to \(Limits.maxNameBytes) letters, digits, '-', '_' or '.', not starting with '.'; got \"\(clip(name))\"")
        }
        return name
    }

    func requiredPath(_ key: String) throws(ProtocolError) -> String {
        try checkedPath(key, requiredString(key))
    }

    func optionalPath(_ key: String) throws(ProtocolError) -> String? {
        guard let path = try optionalString(key) else { return nil }
        return try checkedPath(key, path)
    }

    private func checkedPath(_ key: String, _ path: String) throws(ProtocolError) -> String {
        guard Names.isValidPath(path) else {
            throw ProtocolError(.outOfRange, "\(context): '\(key)' must be a non-empty path of at most \(Limits.maxPathBytes) bytes without NUL")
        }
        return path
    }

    /// `topics`: absent means every topic; otherwise a non-empty array of topic names.
    func topics() throws(ProtocolError) -> Set<Topic> {
        guard let value = members["topics"] else { return Set(Topic.allCases) }
        let allowed = Topic.allCases.map(\.rawValue).joined(separator: ", ")
        guard let elements = value.arrayValue else {
            throw ProtocolError(.wrongType, "\(context): 'topics' must be an array of strings, got \(value.typeName)")
        }
        guard !elements.isEmpty else {
            throw ProtocolError(.outOfRange, "\(context): 'topics' must not be empty; leave it out for all of \(allowed)")
        }
        var topics = Set<Topic>()
        for element in elements {
            guard let name = element.stringValue else {
                throw ProtocolError(.wrongType, "\(context): 'topics' must be an array of strings, got an element of type \(element.typeName)")
            }
            guard let topic = Topic(rawValue: name) else {
                throw ProtocolError(.outOfRange, "\(context): unknown topic '\(clip(name))'; topics are \(allowed)")
            }
            topics.insert(topic)
        }
        return topics
    }
}

/// Quoting untrusted text in a message: short, so a 60 KB field makes a short error.
func clip(_ text: String, to limit: Int = 64) -> String {
    text.count <= limit ? text : String(text.prefix(limit)) + "…"
}
