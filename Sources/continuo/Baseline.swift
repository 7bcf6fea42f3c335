import ArgumentParser
import ContinuoOffline

struct Baseline: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validation loss of a variable-order Markov model over the same tokens (the bar an LSTM must clear).")

    @Option(help: "Token file from `continuo prepare`.") var data: String
    @Option(help: "Orders to try (comma-separated); order k predicts from the previous k - 1 tokens.") var orders = "1,2,3,4,5,6,8"

    func run() throws {
        let list = orders.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }.filter { $0 >= 1 }
        guard !list.isEmpty else { throw ValidationError("--orders needs at least one order >= 1") }
        for order in list {
            let result: MarkovBaselineEvaluation.Result
            do { result = try MarkovBaselineEvaluation.run(tokenFile: data, order: order) } catch { throw CLIError(error) }
            print("order \(order): validation \(Inspection.fixedString(result.natsPerEvent, 4)) nats/event, "
                  + "\(Inspection.fixedString(result.bitsPerNote, 3)) bits/note over \(result.scoredTokens) tokens")
        }
    }
}
