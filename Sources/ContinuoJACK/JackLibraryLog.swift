import CJack
import Synchronization

/// Routes libjack's own error and info messages (normally printed to stderr), e.g. the
/// "Cannot connect to server socket" lines a reconnect loop produces every retry.
///
/// **Thread:** libjack calls these from whichever thread hits the condition — the owner's
/// thread, the notification thread, and in rare error paths the real-time thread. The handler
/// is looked up under a lock and may allocate, so it is not real-time safe; libjack only prints
/// on error paths, where the cycle is already lost.
public enum JackLibraryLog {
    public enum Level: Sendable { case error, info }

    static let handler = Mutex<(@Sendable (Level, String) -> Void)?>(nil)

    /// Sends libjack messages to `handler`; nil discards them. Process-wide (libjack has one
    /// error function per process).
    public static func redirect(_ newHandler: (@Sendable (Level, String) -> Void)?) {
        handler.withLock { $0 = newHandler }
        jack_set_error_function { message in JackLibraryLog.deliver(.error, message) }
        jack_set_info_function { message in JackLibraryLog.deliver(.info, message) }
    }

    static func deliver(_ level: Level, _ message: UnsafePointer<CChar>?) {
        guard let h = handler.withLock({ $0 }), let message else { return }
        h(level, String(cString: message))
    }
}
