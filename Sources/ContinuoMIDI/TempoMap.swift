/// Converts between ticks, seconds and beats (quarter notes) for one timeline.
///
/// Times inside a segment are computed from integers (ticks x microseconds per quarter), held
/// in Double only once summed, so conversions are exact while the sums stay below 2^53.
public struct TempoMap: Sendable, Hashable {
    public struct Segment: Sendable, Hashable {
        public var tick: Int
        public var microsecondsPerQuarter: Int
        /// Elapsed time at `tick`, in microseconds x ticks-per-quarter (musical time) or
        /// seconds (SMPTE time): kept unscaled to stay exact.
        var elapsed: Double
        /// Beats elapsed at `tick`.
        var beats: Double
    }

    public let division: MIDIFile.Division
    public private(set) var segments: [Segment]

    /// The tempo map of a timeline: all tracks for formats 0 and 1 (a tempo event in any track
    /// counts), the one pattern `track` for format 2.
    public init(file: MIDIFile, track: Int? = nil) {
        var changes: [(tick: Int, tempo: Int)] = []
        let tracks: ArraySlice<MIDITrack>
        if file.format == .independentPatterns, let track, file.tracks.indices.contains(track) {
            tracks = file.tracks[track...track]
        } else {
            tracks = file.tracks[...]
        }
        for t in tracks {
            for event in t.raw where event.status == 0xFF && event.data1 == 0x51 && event.payloadLength == 3 {
                let d = t.payload(of: event)
                let us = Int(d[d.startIndex]) << 16 | Int(d[d.startIndex + 1]) << 8 | Int(d[d.startIndex + 2])
                if us > 0 { changes.append((event.tick, us)) }
            }
        }
        self.init(division: file.division, changes: changes)
    }

    /// `changes` need not be sorted; for equal ticks the last one listed wins.
    public init(division: MIDIFile.Division, changes: [(tick: Int, tempo: Int)]) {
        self.division = division
        let sorted = changes.enumerated().sorted { a, b in
            a.element.tick != b.element.tick ? a.element.tick < b.element.tick : a.offset < b.offset
        }.map(\.element)
        var segments = [Segment(tick: 0, microsecondsPerQuarter: Int(MetaEvent.defaultMicrosecondsPerQuarter), elapsed: 0, beats: 0)]
        for change in sorted where change.tempo > 0 {
            let last = segments[segments.count - 1]
            if change.tick == last.tick {
                segments[segments.count - 1].microsecondsPerQuarter = change.tempo
                continue
            }
            let next = Self.advance(last, to: change.tick, division: division)
            segments.append(Segment(tick: change.tick, microsecondsPerQuarter: change.tempo, elapsed: next.elapsed, beats: next.beats))
        }
        self.segments = segments
    }

    private static func advance(_ s: Segment, to tick: Int, division: MIDIFile.Division) -> (elapsed: Double, beats: Double) {
        let ticks = Double(tick - s.tick)
        switch division {
        case let .ticksPerQuarter(tpq):
            return (s.elapsed + ticks * Double(s.microsecondsPerQuarter), Double(tick) / Double(tpq))
        case .smpte:
            let seconds = ticks / division.ticksPerSecond!
            return (s.elapsed + seconds, s.beats + seconds * 1e6 / Double(s.microsecondsPerQuarter))
        }
    }

    /// Index of the segment containing `tick`.
    public func segmentIndex(atTick tick: Int) -> Int {
        var low = 0, high = segments.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if segments[mid].tick <= tick { low = mid } else { high = mid - 1 }
        }
        return low
    }

    public func seconds(atTick tick: Int) -> Double {
        seconds(atTick: tick, segment: segmentIndex(atTick: tick))
    }

    /// Same as `seconds(atTick:)` with the segment already known (a cursor saves the search).
    @inline(__always)
    public func seconds(atTick tick: Int, segment index: Int) -> Double {
        let s = segments[index]
        switch division {
        case let .ticksPerQuarter(tpq):
            return (s.elapsed + Double(tick - s.tick) * Double(s.microsecondsPerQuarter)) / (Double(tpq) * 1e6)
        case .smpte:
            return Double(tick) / division.ticksPerSecond!
        }
    }

    public func beats(atTick tick: Int) -> Double {
        beats(atTick: tick, segment: segmentIndex(atTick: tick))
    }

    @inline(__always)
    public func beats(atTick tick: Int, segment index: Int) -> Double {
        switch division {
        case let .ticksPerQuarter(tpq):
            return Double(tick) / Double(tpq)
        case .smpte:
            let s = segments[index]
            let seconds = Double(tick - s.tick) / division.ticksPerSecond!
            return s.beats + seconds * 1e6 / Double(s.microsecondsPerQuarter)
        }
    }

    /// The (fractional) tick at a time in seconds.
    public func tick(atSeconds seconds: Double) -> Double {
        if case .smpte = division { return seconds * division.ticksPerSecond! }
        guard case let .ticksPerQuarter(tpq) = division else { return 0 }
        let scaled = seconds * Double(tpq) * 1e6
        var index = segments.count - 1
        while index > 0, segments[index].elapsed > scaled { index -= 1 }
        let s = segments[index]
        return Double(s.tick) + (scaled - s.elapsed) / Double(s.microsecondsPerQuarter)
    }

    /// The (fractional) tick at a position in beats.
    public func tick(atBeats beats: Double) -> Double {
        switch division {
        case let .ticksPerQuarter(tpq):
            return beats * Double(tpq)
        case .smpte:
            var index = segments.count - 1
            while index > 0, segments[index].beats > beats { index -= 1 }
            let s = segments[index]
            let seconds = (beats - s.beats) * Double(s.microsecondsPerQuarter) / 1e6
            return Double(s.tick) + seconds * division.ticksPerSecond!
        }
    }

    public func seconds(atBeats beats: Double) -> Double {
        let t = tick(atBeats: beats)
        let whole = Int(t.rounded(.down))
        let index = segmentIndex(atTick: whole)
        let s = segments[index]
        switch division {
        case let .ticksPerQuarter(tpq):
            return (s.elapsed + (t - Double(s.tick)) * Double(s.microsecondsPerQuarter)) / (Double(tpq) * 1e6)
        case .smpte:
            return t / division.ticksPerSecond!
        }
    }

    public func beats(atSeconds seconds: Double) -> Double {
        let t = tick(atSeconds: seconds)
        switch division {
        case let .ticksPerQuarter(tpq):
            return t / Double(tpq)
        case .smpte:
            let index = segmentIndex(atTick: Int(t.rounded(.down)))
            let s = segments[index]
            return s.beats + (seconds - s.elapsed) * 1e6 / Double(s.microsecondsPerQuarter)
        }
    }

    /// Tempo in beats per minute at a tick.
    public func bpm(atTick tick: Int) -> Double {
        60e6 / Double(segments[segmentIndex(atTick: tick)].microsecondsPerQuarter)
    }
}
