import Foundation

/// Compares two sets of pieces feature by feature as Yang & Lerch do: the distribution of
/// distances between pieces inside the reference set (intra) against the distribution of
/// distances from generated to reference pieces (inter), each smoothed with a Gaussian kernel;
/// their overlap area (1 = indistinguishable) and KL divergence (0 = indistinguishable).
public struct SetComparison: Sendable, Codable {
    public struct Feature: Sendable, Codable {
        public var name: String
        public var referenceMean: [Double]
        public var generatedMean: [Double]
        public var overlapArea: Double
        public var klDivergence: Double
    }

    public var referencePieces: Int
    public var generatedPieces: Int
    public var features: [Feature]

    public var meanOverlap: Double { features.map(\.overlapArea).reduce(0, +) / Double(max(features.count, 1)) }

    public init(reference: [MusicalFeatures], generated: [MusicalFeatures]) {
        referencePieces = reference.count
        generatedPieces = generated.count
        let names = reference.first?.named.map(\.name) ?? generated.first?.named.map(\.name) ?? []
        features = names.indices.map { f in
            let r = reference.map { $0.named[f].values }, g = generated.map { $0.named[f].values }
            var intra: [Double] = []
            for i in r.indices { for j in r.indices where j > i { intra.append(Self.distance(r[i], r[j])) } }
            var inter: [Double] = []
            for a in g { for b in r { inter.append(Self.distance(a, b)) } }
            let (overlap, kl) = Self.compare(intra, inter)
            return Feature(name: names[f], referenceMean: Self.mean(r), generatedMean: Self.mean(g), overlapArea: overlap, klDivergence: kl)
        }
    }

    static func distance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }

    static func mean(_ vectors: [[Double]]) -> [Double] {
        guard let width = vectors.first?.count else { return [] }
        return (0..<width).map { i in vectors.reduce(0) { $0 + $1[i] } / Double(vectors.count) }
    }

    /// Overlap area and KL(p || q) of two samples' Gaussian kernel density estimates.
    static func compare(_ p: [Double], _ q: [Double]) -> (overlap: Double, kl: Double) {
        guard !p.isEmpty, !q.isEmpty else { return (.nan, .nan) }
        let high = max(p.max()!, q.max()!), low = min(p.min()!, q.min()!)
        let span = max(high - low, 1e-9)
        let grid = (0..<256).map { low - 0.1 * span + Double($0) / 255 * 1.2 * span }
        let dp = density(p, at: grid, span: span), dq = density(q, at: grid, span: span)
        let dx = grid[1] - grid[0]
        var overlap = 0.0, kl = 0.0
        for i in grid.indices {
            overlap += min(dp[i], dq[i]) * dx
            if dp[i] > 1e-12 { kl += dp[i] * Foundation.log(dp[i] / max(dq[i], 1e-12)) * dx }
        }
        return (min(1, overlap), max(0, kl))
    }

    /// Silverman's rule for the bandwidth, floored so identical values still make a bump.
    static func density(_ samples: [Double], at grid: [Double], span: Double) -> [Double] {
        let n = Double(samples.count)
        let mean = samples.reduce(0, +) / n
        let sd = (samples.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / max(n - 1, 1)).squareRoot()
        let h = max(1.06 * sd * pow(n, -0.2), span * 0.02)
        // Subsample large samples for the estimate: 4,000 points describe a 1-D density well.
        let stride = max(1, samples.count / 4000)
        let used = Swift.stride(from: 0, to: samples.count, by: stride).map { samples[$0] }
        let norm = 1 / (Double(used.count) * h * (2 * Double.pi).squareRoot())
        return grid.map { x in used.reduce(0) { $0 + Foundation.exp(-0.5 * (x - $1) * (x - $1) / (h * h)) } * norm }
    }

    public var markdown: String {
        var lines = ["| feature | overlap area | KL divergence | reference mean | generated mean |", "|---|---|---|---|---|"]
        for f in features {
            let show: ([Double]) -> String = { v in v.count == 1 ? Inspection.fixedString(v[0], 3) : "(\(v.count) values)" }
            lines.append("| \(f.name) | \(Inspection.fixedString(f.overlapArea, 3)) | \(Inspection.fixedString(f.klDivergence, 3)) | \(show(f.referenceMean)) | \(show(f.generatedMean)) |")
        }
        lines.append("")
        lines.append("Mean overlap area: \(Inspection.fixedString(meanOverlap, 3)) (\(generatedPieces) generated vs \(referencePieces) reference pieces).")
        return lines.joined(separator: "\n")
    }
}
