import Foundation

/// Hears the beat in a performer's note onsets alone (no clock): a period and a phase, with a
/// confidence, updated at every onset.
///
/// Each estimate scores candidate tempos over the recent onsets (the last `maxOnsets` within
/// `windowSeconds`, newer ones weighing more):
/// - *precision*: the share of onsets on the beats (within a Gaussian of 6% of the period, on
///   the grid the onsets' mean phase puts), weighted by accent squared (chords, loud and long
///   notes are accents), so passing notes between the beats do not outvote the beats;
/// - *recall*: the share of the beats spanned that hold an onset, each counted by its strongest
///   accent, which keeps a stream of quarter notes from reading as eighths at half the tempo,
///   and eighths with rests as quarters;
/// - their harmonic mean (an F-measure), times a broad prior around 110 BPM (where listeners put the beat when the rhythm allows either)
///   and, once locked, a preference for the tempo held, so a fill does not flip the octave.
/// The best candidate is refined by a parabola through its neighbours; its phase is where the
/// onsets' mean phase points. Once locked the reported tempo moves half-way to each new estimate
/// (rubato and accelerando are followed within a few onsets, jitter is smoothed), and a jump of
/// more than 8% must be heard twice. Through a pause the last good tempo and phase are kept;
/// onsets from before a long pause are forgotten, so the player may come back off the old grid.
public struct BeatTracker: Sendable {
    public let sampleRate: Double
    /// Tempo reported until the onsets say otherwise (the preset's).
    public var fallbackBPM: Double
    public static let minBPM = 40.0
    public static let maxBPM = 240.0
    static let maxOnsets = 24
    static let windowSeconds = 10.0
    /// Note-ons this close together are one onset (a chord, a grace).
    static let chordSeconds = 0.04
    /// Confidence needed to take the estimate over the fallback.
    public static let lockConfidence = 0.45
    /// Candidate tempos, log-spaced by 1%.
    private static let candidates: [Double] = {
        var list: [Double] = []
        var bpm = minBPM
        while bpm <= maxBPM { list.append(bpm); bpm *= 1.01 }
        return list
    }()

    /// Onset frames and weights (chords weigh more), oldest first; a ring kept sorted by time.
    private var onsetFrames = [Double](repeating: 0, count: BeatTracker.maxOnsets)
    private var onsetWeights = [Double](repeating: 0, count: BeatTracker.maxOnsets)
    private var onsetCount = 0
    private var scores = [Double](repeating: 0, count: BeatTracker.candidates.count)

    /// The tempo in effect: the followed one once locked, the fallback before.
    public private(set) var bpm: Double
    /// A frame where a beat falls (meaningful once locked).
    public private(set) var beatFrame: Double = 0
    /// 0...1: how well the latest estimate explains the onsets.
    public private(set) var confidence: Double = 0
    /// Whether the followed tempo is in effect (it stays so through pauses).
    public private(set) var isLocked = false
    /// A jump awaiting confirmation by the next estimate.
    private var pendingBPM: Double? = nil
    /// Estimates made (for status and tests).
    public private(set) var estimates = 0

    public init(sampleRate: Double, fallbackBPM: Double) {
        self.sampleRate = sampleRate
        self.fallbackBPM = fallbackBPM
        bpm = fallbackBPM
    }

    public var framesPerBeat: Double { sampleRate * 60 / bpm }

    /// Beats from the beat grid at `frame`: a whole number falls on a beat.
    public func beatPosition(at frame: Double) -> Double { (frame - beatFrame) / framesPerBeat }

    /// Back to the fallback, nothing heard.
    public mutating func reset() {
        onsetCount = 0
        isLocked = false
        confidence = 0
        pendingBPM = nil
        bpm = fallbackBPM
    }

    public mutating func setFallback(bpm newBPM: Double) {
        fallbackBPM = newBPM
        if !isLocked { bpm = newBPM }
    }

    /// A performer note-on at `frame`; returns true when the tempo or phase in effect changed.
    @discardableResult
    public mutating func noteOn(at frame: Double, velocity: UInt8) -> Bool {
        let weight = 0.5 + Double(velocity) / 127
        if onsetCount > 0 {
            let last = onsetFrames[onsetCount - 1]
            if abs(frame - last) < Self.chordSeconds * sampleRate {
                onsetWeights[onsetCount - 1] = min(onsetWeights[onsetCount - 1] + weight * 0.5, 4)
                return false
            }
            // Time runs forward: an older onset than the last one is a late report, not heard.
            if frame < last { return false }
            // A long pause: what was played before it says nothing about where the beat is now.
            if frame - last > max(3 * sampleRate, 4 * framesPerBeat) { onsetCount = 0 }
        }
        if onsetCount == Self.maxOnsets {
            for i in 1..<onsetCount { onsetFrames[i - 1] = onsetFrames[i]; onsetWeights[i - 1] = onsetWeights[i] }
            onsetCount -= 1
        }
        // Onsets older than the window are dropped from the front.
        var drop = 0
        while drop < onsetCount && frame - onsetFrames[drop] > Self.windowSeconds * sampleRate { drop += 1 }
        if drop > 0 {
            for i in drop..<onsetCount { onsetFrames[i - drop] = onsetFrames[i]; onsetWeights[i - drop] = onsetWeights[i] }
            onsetCount -= drop
        }
        onsetFrames[onsetCount] = frame
        onsetWeights[onsetCount] = weight
        onsetCount += 1
        return estimate()
    }

    /// The note struck at `onsetFrame` was let go at `frame`: long notes mark beats more than
    /// short ones (a durational accent), so its onset weighs more in the next estimate.
    public mutating func noteOff(onsetFrame: Double, at frame: Double) {
        var i = onsetCount - 1
        while i >= 0 && onsetFrames[i] > onsetFrame { i -= 1 }
        guard i >= 0, onsetFrame - onsetFrames[i] < Self.chordSeconds * sampleRate else { return }
        onsetWeights[i] = min(onsetWeights[i] + min(max(0, frame - onsetFrame) / sampleRate, 1), 6)
    }

    /// Re-estimates from the onsets held; true when what is in effect changed.
    private mutating func estimate() -> Bool {
        guard onsetCount >= 4 else { return false }
        let newest = onsetFrames[onsetCount - 1]
        let span = newest - onsetFrames[0]
        guard span > 0 else { return false }
        estimates += 1
        let candidates = Self.candidates
        var best = 0
        for (index, candidate) in candidates.enumerated() {
            scores[index] = score(bpm: candidate, newest: newest).total
            if scores[index] > scores[best] { best = index }
        }
        // A parabola through the best and its neighbours, in log tempo.
        var estimateBPM = candidates[best]
        if best > 0 && best < candidates.count - 1 {
            let a = scores[best - 1], b = scores[best], c = scores[best + 1]
            let denominator = a - 2 * b + c
            if denominator < 0 {
                let offset = max(-0.5, min(0.5, 0.5 * (a - c) / denominator))
                estimateBPM = candidates[best] * pow(1.01, offset)
            }
        }
        let fit = score(bpm: estimateBPM, newest: newest)
        let onsetFactor = min(1, Double(onsetCount - 3) / 3)
        confidence = 2 * fit.precision * fit.recall / max(fit.precision + fit.recall, 1e-9) * onsetFactor
        guard confidence >= Self.lockConfidence else { return false }
        let previousBPM = bpm, previousBeat = beatFrame
        if isLocked {
            let ratio = estimateBPM / bpm
            if ratio > 1.08 || ratio < 1 / 1.08 {
                // A jump: believed when the next estimate agrees.
                if let pending = pendingBPM, abs(estimateBPM / pending - 1) < 0.04 {
                    bpm = estimateBPM
                    pendingBPM = nil
                } else {
                    pendingBPM = estimateBPM
                    return false
                }
            } else {
                pendingBPM = nil
                bpm += 0.7 * (estimateBPM - bpm)
            }
        } else {
            bpm = estimateBPM
            isLocked = true
        }
        beatFrame = phaseFrame(bpm: bpm, newest: newest)
        return bpm != previousBPM || beatFrame != previousBeat
    }

    /// Recency weight of an onset `age` frames before the newest.
    private func recency(_ age: Double) -> Double { exp(-age / (3 * sampleRate)) }

    private struct Fit { var precision: Double; var recall: Double; var total: Double }

    private func score(bpm candidate: Double, newest: Double) -> Fit {
        let period = sampleRate * 60 / candidate
        let phase = meanPhase(period: period, newest: newest, memory: 4)
        var strongest = 0.0
        for i in 0..<onsetCount { strongest = max(strongest, onsetWeights[i]) }
        var onBeat = 0.0, total = 0.0
        var held = 0.0, heldHere = 0.0
        var lastBeat = Int.min
        for i in 0..<onsetCount {
            // Accents: the strongest onset is 1; squared, so strong beats decide over weak notes.
            let accent = onsetWeights[i] / strongest
            let w = accent * accent * recency(newest - onsetFrames[i])
            let x = (onsetFrames[i] - newest) / period - phase
            let k = x.rounded()
            let d = x - k
            onBeat += w * exp(-d * d / (2 * 0.06 * 0.06))
            total += w
            if abs(d) < 0.15 {
                if Int(k) != lastBeat { held += heldHere; heldHere = 0; lastBeat = Int(k) }
                heldHere = max(heldHere, accent)
            }
        }
        held += heldHere
        let precision = total > 0 ? onBeat / total : 0
        let beats = Int(((newest - onsetFrames[0]) / period - phase + 0.15).rounded(.down)) + 1
        // A beat holding only weak notes is half-heard.
        let recall = min(1, held / Double(max(beats, 1)))
        let f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        let octaves = log2(candidate / 110)
        let prior = exp(-0.5 * octaves * octaves / (1.8 * 1.8))
        var total2 = f * prior
        if isLocked {
            let drift = log(candidate / bpm)
            total2 *= 1 + 0.1 * exp(-0.5 * drift * drift / (0.04 * 0.04))
        }
        return Fit(precision: precision, recall: recall, total: total2)
    }

    /// Where the beat falls after the newest onset, in periods (-0.5...0.5): the onsets' mean
    /// phase, then again over the onsets near it only, so off-beat notes do not pull the grid.
    /// `memory` (seconds) is how fast older onsets stop counting.
    private func meanPhase(period: Double, newest: Double, memory: Double) -> Double {
        var phase = 0.0
        for pass in 0..<2 {
            var c = 0.0, s = 0.0
            for i in 0..<onsetCount {
                let age = newest - onsetFrames[i]
                var w = onsetWeights[i] * exp(-age / (memory * sampleRate))
                let x = -age / period
                if pass == 1 {
                    let d = x - phase - (x - phase).rounded()
                    w *= exp(-d * d / (2 * 0.1 * 0.1))
                }
                let angle = 2 * Double.pi * x
                c += w * cos(angle)
                s += w * sin(angle)
            }
            if c == 0 && s == 0 { return phase }
            phase = atan2(s, c) / (2 * Double.pi)
        }
        return phase
    }

    /// The frame of the beat nearest the newest onset; the phase leans on the latest onsets,
    /// since the beat is where the player is now.
    private func phaseFrame(bpm: Double, newest: Double) -> Double {
        let period = sampleRate * 60 / bpm
        return newest + meanPhase(period: period, newest: newest, memory: 1.5) * period
    }
}
