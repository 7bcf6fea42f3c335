import Foundation

/// The last line a tool printed, read as a JSON object: how the Python helpers and the PyTorch
/// trainer report what they saw. Nil when that line is not one.
public func lastJSONObject(in output: String) -> [String: Any]? {
    guard let line = output.split(separator: "\n").last else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
}
