import Foundation
@testable import ContinuoProtocol

/// docs/protocol.md, read relative to this file so the test finds it from any working folder.
func protocolDocs() throws -> String {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/protocol.md")
    return try String(contentsOf: url, encoding: .utf8)
}

/// One `$ echo '…' | socat …` example and the lines the docs show coming back.
struct Exchange {
    var request: String
    var output: [String]
}

/// Every shell example in the docs' console blocks.
func docExchanges(_ docs: String) -> [Exchange] {
    var exchanges: [Exchange] = []
    var inConsole = false
    for line in docs.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("```") {
            inConsole = line == "```console"
            continue
        }
        guard inConsole else { continue }
        if line.hasPrefix("$ ") {
            if let start = line.range(of: "echo '"), let end = line[start.upperBound...].firstIndex(of: "'") {
                exchanges.append(Exchange(request: String(line[start.upperBound..<end]), output: []))
            } else {
                exchanges.append(Exchange(request: "", output: [])) // e.g. the 1 MB line
            }
        } else if !exchanges.isEmpty {
            exchanges[exchanges.count - 1].output.append(String(line))
        }
    }
    return exchanges
}

/// The JSON lines of the docs' `json` blocks.
func docJSONLines(_ docs: String) -> [String] {
    var lines: [String] = []
    var inJSON = false
    for line in docs.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("```") {
            inJSON = line == "```json"
            continue
        }
        if inJSON { lines.append(String(line)) }
    }
    return lines
}

extension Result {
    var failure: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }

    var success: Success? {
        if case let .success(value) = self { return value }
        return nil
    }
}

func parse(_ line: String) -> Result<ParsedRequest, ProtocolError> { RequestParser.parse(line: line) }
