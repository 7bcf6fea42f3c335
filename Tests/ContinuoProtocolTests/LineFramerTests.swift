import Testing
@testable import ContinuoProtocol
import ContinuoRandom

@Suite struct LineFramerTests {
    private func frame(_ chunks: [[UInt8]], max: Int = Limits.maxLineBytes) -> [LineFramer.Output] {
        var framer = LineFramer(maxLineBytes: max)
        var outputs = chunks.flatMap { framer.feed($0) }
        if let last = framer.finish() { outputs.append(last) }
        return outputs
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// The specification, written the obvious way over the whole input at once.
    private func reference(_ input: [UInt8], max: Int) -> [LineFramer.Output] {
        var outputs: [LineFramer.Output] = []
        let pieces = input.split(separator: 0x0A, omittingEmptySubsequences: false)
        for piece in pieces.enumerated() {
            var line = Array(piece.element)
            if line.last == 0x0D { line.removeLast() }
            if line.count > max { outputs.append(.tooLong); continue }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            outputs.append(.line(line))
        }
        return outputs
    }

    @Test func splitsLinesAndDropsCRLFAndBlankLines() {
        let input = bytes("{\"cmd\":\"ping\"}\r\n\n  \t\n{\"a\":1}\nlast")
        #expect(frame([input]) == [.line(bytes("{\"cmd\":\"ping\"}")), .line(bytes("{\"a\":1}")), .line(bytes("last"))])
        #expect(frame([bytes("a\rb\n")]) == [.line(bytes("a\rb"))])
        #expect(frame([bytes("a\r"), bytes("b\n")]) == [.line(bytes("a\rb"))])
        #expect(frame([bytes("a\r")]) == [.line(bytes("a"))])
        #expect(frame([]) == [])
    }

    /// swift-nio's ByteToMessageDecoderVerifier idea: one byte at a time must equal all at once.
    @Test func dripFeedEqualsWholeInput() {
        let input = bytes("{\"id\":1,\"cmd\":\"ping\"}\r\n{\"cmd\":\"status\"}\n\r\n") + [UInt8](repeating: 0x78, count: 100) + bytes("\nok\r")
        for max in [1, 5, 20, 99, 100, 101, 1000] {
            let whole = frame([input], max: max)
            #expect(frame(input.map { [$0] }, max: max) == whole)
            #expect(whole == reference(input, max: max), "max \(max)")
        }
    }

    @Test func randomChunkingsAgreeWithTheReference() {
        var rng = SeededRandom(seed: 42)
        let alphabet: [UInt8] = [0x61, 0x62, 0x0D, 0x0A, 0x20, 0x09, 0x7B]
        for _ in 0..<2000 {
            let max = Int.random(in: 1...12, using: &rng)
            let input = (0..<Int.random(in: 0...80, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            var chunks: [[UInt8]] = []
            var rest = input[...]
            while !rest.isEmpty {
                let n = Int.random(in: 0...min(rest.count, 16), using: &rng)
                chunks.append(Array(rest.prefix(n)))
                rest = rest.dropFirst(n)
            }
            let expected = reference(input, max: max)
            #expect(frame(chunks, max: max) == expected, "input \(input) max \(max)")
            #expect(frame(input.map { [$0] }, max: max) == expected)
        }
    }

    @Test func limitIsExactAndExcludesTheTerminator() {
        let exact = [UInt8](repeating: 0x61, count: 10)
        #expect(frame([exact + [0x0D, 0x0A]], max: 10) == [.line(exact)])
        #expect(frame([exact + [0x0A]], max: 10) == [.line(exact)])
        #expect(frame([exact + [0x61, 0x0A]], max: 10) == [.tooLong])
        #expect(frame([exact + [0x0D, 0x61, 0x0A]], max: 10) == [.tooLong])
    }

    @Test func oneMegabyteLineIsReportedOnceInBoundedMemoryAndTheNextLineParses() {
        var framer = LineFramer()
        var outputs: [LineFramer.Output] = []
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
        for _ in 0..<256 {   // 1 MiB in socket-sized reads
            outputs += framer.feed(chunk)
            #expect(framer.bufferedBytes <= Limits.maxLineBytes)
        }
        outputs += framer.feed(bytes("\n{\"id\":2,\"cmd\":\"ping\"}\n"))
        #expect(outputs.count == 2)
        #expect(outputs.first == .tooLong)
        guard case let .line(line) = outputs.last else { return #expect(Bool(false)) }
        #expect(RequestParser.parse(line: line).success == Request(id: 2, command: .ping))
    }

    @Test func overlongLastLineWithoutNewlineIsReportedOnce() {
        #expect(frame([[UInt8](repeating: 0x61, count: 30)], max: 10) == [.tooLong])
    }
}
