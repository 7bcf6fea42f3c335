import ContinuoMIDI
/// Note hygiene at the output, the last line of defence whatever the model or the modes do:
/// which generated and which passed-through notes sound on which channel, so that no note-on
/// is sent for a sounding key, no note-off for a silent one, and every note can be ended.
///
/// Released events may lie in the future (up to the look-ahead, or a response delay), and a
/// flush drops those the real-time side has not written. A journal of what was released at
/// frames >= the last `now` lets the tracker take those back, so after a flush it agrees with
/// what actually sounded.
struct MachineNotes {
    private static let keys = 16 * 128
    /// Onset frame of each generated note, -1 when silent; index channel * 128 + pitch.
    private var onset = [Int64](repeating: -1, count: MachineNotes.keys)
    /// Effect mode: the performer pitch a generated note answers (it ends with it), -1 for none.
    private var tiedTo = [Int16](repeating: -1, count: MachineNotes.keys)
    private var through = [Bool](repeating: false, count: MachineNotes.keys)
    private(set) var generatedCount = 0
    private(set) var throughCount = 0
    /// Bit per channel a note was ever sent on (generated or through).
    private(set) var usedChannels: UInt16 = 0

    private struct JournalEntry {
        var frame: Int64
        var key: Int
        var previousOnset: Int64
        var previousTie: Int16
    }
    private var journal: [JournalEntry] = []

    init() { journal.reserveCapacity(64) }

    @inline(__always) private static func key(_ channel: UInt8, _ pitch: UInt8) -> Int { Int(channel & 0x0F) * 128 + Int(pitch & 0x7F) }

    func isSounding(channel: UInt8, pitch: UInt8) -> Bool { onset[Self.key(channel, pitch)] >= 0 }

    func onsetFrame(channel: UInt8, pitch: UInt8) -> Int64? {
        let frame = onset[Self.key(channel, pitch)]
        return frame >= 0 ? frame : nil
    }

    /// A generated note-on, or nil when the key already sounds (skipped, never doubled).
    mutating func noteOn(channel: UInt8, pitch: UInt8, velocity: UInt8, at frame: Int64, tiedTo input: UInt8? = nil) -> OutputEvent? {
        let k = Self.key(channel, pitch)
        guard onset[k] < 0, !through[k] else { return nil }
        journal.append(JournalEntry(frame: frame, key: k, previousOnset: onset[k], previousTie: tiedTo[k]))
        onset[k] = frame
        tiedTo[k] = input.map { Int16($0) } ?? -1
        generatedCount += 1
        usedChannels |= 1 << UInt16(channel & 0x0F)
        return OutputEvent(frame: frame, bytes: .noteOn(channel: channel, pitch: pitch, velocity: max(1, velocity)), isGenerated: true)
    }

    /// A generated note-off, or nil when the key is silent.
    mutating func noteOff(channel: UInt8, pitch: UInt8, at frame: Int64) -> OutputEvent? {
        let k = Self.key(channel, pitch)
        guard onset[k] >= 0 else { return nil }
        journal.append(JournalEntry(frame: frame, key: k, previousOnset: onset[k], previousTie: tiedTo[k]))
        onset[k] = -1
        tiedTo[k] = -1
        generatedCount -= 1
        return OutputEvent(frame: frame, bytes: .noteOff(channel: channel, pitch: pitch), isGenerated: true)
    }

    /// Forgets journal entries before `now`: those have been written and can no longer be dropped.
    mutating func prune(before now: Int64) {
        guard let first = journal.firstIndex(where: { $0.frame >= now }) else { journal.removeAll(keepingCapacity: true); return }
        if first > 0 { journal.removeFirst(first) }
    }

    /// Takes back every released event at `frame` or later (what a flush drops), newest first.
    mutating func undo(from frame: Int64) {
        var index = journal.count - 1
        while index >= 0 {
            let entry = journal[index]
            if entry.frame >= frame {
                let wasSounding = onset[entry.key] >= 0
                onset[entry.key] = entry.previousOnset
                tiedTo[entry.key] = entry.previousTie
                generatedCount += (entry.previousOnset >= 0 ? 1 : 0) - (wasSounding ? 1 : 0)
                journal.remove(at: index)
            }
            index -= 1
        }
    }

    /// Note-offs at `frame` for every generated note; the tracker is then silent.
    mutating func silenceGenerated(at frame: Int64, into events: inout [OutputEvent]) {
        guard generatedCount > 0 else { return }
        for k in 0..<Self.keys where onset[k] >= 0 {
            if let off = noteOff(channel: UInt8(k / 128), pitch: UInt8(k % 128), at: frame) { events.append(off) }
        }
    }

    /// Generated notes answering performer pitch `input` (effect mode), on `channel`.
    func tied(to input: UInt8, channel: UInt8) -> [UInt8] {
        let base = Int(channel & 0x0F) * 128
        return (0..<128).compactMap { p in tiedTo[base + p] == Int16(input) && onset[base + p] >= 0 ? UInt8(p) : nil }
    }

    /// Tied notes (effect answers) that started at or before `frame`.
    func tiedStarted(atOrBefore frame: Int64) -> [(channel: UInt8, pitch: UInt8, onset: Int64)] {
        var result: [(channel: UInt8, pitch: UInt8, onset: Int64)] = []
        for k in 0..<Self.keys where tiedTo[k] >= 0 && onset[k] >= 0 && onset[k] <= frame {
            result.append((UInt8(k / 128), UInt8(k % 128), onset[k]))
        }
        return result
    }

    /// Records a passed-through note; false for a note-off of a key that is not down (dropped).
    mutating func through(on: Bool, channel: UInt8, pitch: UInt8) -> Bool {
        let k = Self.key(channel, pitch)
        if on {
            if !through[k] { throughCount += 1 }
            through[k] = true
            usedChannels |= 1 << UInt16(channel & 0x0F)
            return true
        }
        guard through[k] else { return false }
        through[k] = false
        throughCount -= 1
        return true
    }

    /// Note-offs at `frame` for every passed-through note still down.
    mutating func silenceThrough(at frame: Int64, into events: inout [OutputEvent]) {
        guard throughCount > 0 else { return }
        for k in 0..<Self.keys where through[k] {
            through[k] = false
            events.append(OutputEvent(frame: frame, bytes: .noteOff(channel: UInt8(k / 128), pitch: UInt8(k % 128)), isGenerated: false))
        }
        throughCount = 0
    }

    /// Generated notes sounding, as (channel, pitch), for the status.
    var sounding: [SoundingNote] {
        (0..<Self.keys).compactMap { k in onset[k] >= 0 ? SoundingNote(channel: UInt8(k / 128), pitch: UInt8(k % 128), onsetFrame: onset[k]) : nil }
    }
}

/// A note the machine sounds.
public struct SoundingNote: Sendable, Hashable {
    public var channel: UInt8
    public var pitch: UInt8
    public var onsetFrame: Int64
}
