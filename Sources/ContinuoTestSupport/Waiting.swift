import Foundation

/// Polls `condition` until it holds or `timeout` seconds pass; the answer is the condition's
/// last value. Tests wait on what they need to see, never for a fixed time.
@discardableResult
public func waitFor(_ timeout: Double, every interval: Double = 0.005, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(useconds_t(interval * 1e6))
    }
    return try condition()
}

/// Polls `produce` until it gives a value or `timeout` seconds pass.
public func waitForValue<T>(_ timeout: Double, every interval: Double = 0.005, _ produce: () throws -> T?) rethrows -> T? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if let value = try produce() { return value }
        usleep(useconds_t(interval * 1e6))
    }
    return try produce()
}
