import Foundation
import Glibc
import Synchronization

/// A child process that its owner stops and reaps on every path: `wait(timeout:)`, `stop()`
/// (SIGTERM, a grace period, then SIGKILL) and `deinit` all end in `waitpid`, so nothing is
/// left running or as a zombie when the owner goes away, a test fails or throws.
///
/// With `group: .own` (the default) the child leads a new process group and every signal goes
/// to the whole group, so its own children die with it. `group: .inherit` keeps the child in the
/// caller's group (a terminal's Ctrl-C then reaches it too) and signals go to the child alone.
///
/// The environment is the caller's with `environment` laid over it: a child never loses
/// variables such as `JACK_NO_START_SERVER` (or a test run's marker) by accident.
public final class ChildProcess: Sendable {
    public enum Output: Sendable {
        /// /dev/null.
        case null
        /// The caller's own descriptor.
        case inherit
        /// A file, created or truncated.
        case file(String)
    }

    public enum Group: Sendable {
        case own
        case inherit
    }

    public enum Status: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        /// The exit code, or 128 + the signal, as a shell reports it.
        public var code: Int32 {
            switch self {
            case let .exited(code): return code
            case let .signalled(signal): return 128 + signal
            }
        }

        public var description: String {
            switch self {
            case let .exited(code): return "exit \(code)"
            case let .signalled(signal): return "signal \(signal)"
            }
        }
    }

    public enum SpawnError: Error, CustomStringConvertible {
        case cannotStart(String, Int32)
        public var description: String {
            switch self {
            case let .cannotStart(executable, errno): return "cannot start \(executable): \(String(cString: strerror(errno)))"
            }
        }
    }

    public let executable: String
    public let arguments: [String]
    public let pid: pid_t
    public let group: Group
    private let state = Mutex<Status?>(nil)

    /// Starts `executable` (a path, or a name looked up on PATH) with `arguments`.
    public init(_ executable: String, _ arguments: [String] = [], environment: [String: String] = [:],
                standardInput: Output = .null, standardOutput: Output = .null, standardError: Output = .null,
                group: Group = .own) throws {
        self.executable = executable
        self.arguments = arguments
        self.group = group

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        func redirect(_ output: Output, _ fd: Int32, _ flags: Int32) {
            switch output {
            case .inherit: break
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", flags, 0o644)
            case let .file(path): posix_spawn_file_actions_addopen(&actions, fd, path, flags | O_CREAT | O_TRUNC, 0o644)
            }
        }
        redirect(standardInput, 0, O_RDONLY)
        redirect(standardOutput, 1, O_WRONLY)
        if case let .file(err) = standardError, case let .file(out) = standardOutput, err == out {
            posix_spawn_file_actions_adddup2(&actions, 1, 2) // one file, one offset: lines interleave, not overwrite
        } else {
            redirect(standardError, 2, O_WRONLY)
        }
        // Descriptors the parent left inheritable (pipes, sockets) must not keep the child's
        // ends open: a reader would never see EOF, a socket would never close.
        Self.closeFrom3(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        if group == .own {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        // Start from default dispositions and an empty mask, whatever the parent blocks or ignores.
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = executable.contains("/")
            ? posix_spawn(&child, executable, &actions, &attributes, argv, envp)
            : posix_spawnp(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError.cannotStart(executable, result) }
        pid = child
    }

    deinit { stop(grace: 2) }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which the Glibc module does not import.
    private static let closeFrom: CloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }

    private static func closeFrom3(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom, closeFrom(&actions, 3) == 0 { return }
        // Older C libraries: close what is open now (glibc ignores a close of a descriptor that
        // has been closed meanwhile).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let fd = Int32(name), fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }

    /// The exit status once the child has ended and been reaped; nil while it runs.
    public var status: Status? { reap(blocking: false) }

    public var isRunning: Bool { status == nil }

    /// Waits for the child to end, at most `timeout` seconds (nil: as long as it takes);
    /// nil if it is still running then.
    @discardableResult
    public func wait(timeout: Double? = nil) -> Status? {
        guard let timeout else { return reap(blocking: true) }
        let deadline = Date().addingTimeInterval(timeout)
        var pause: useconds_t = 1_000
        while true {
            if let status = reap(blocking: false) { return status }
            if Date() >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// Sends `signal` to the child (its whole group with `group: .own`); nothing once reaped.
    public func signal(_ signal: Int32) {
        state.withLock { status in
            guard status == nil else { return }
            _ = Glibc.kill(group == .own ? -pid : pid, signal)
        }
    }

    /// SIGTERM, up to `grace` seconds for the child to leave, then SIGKILL; always reaps.
    @discardableResult
    public func stop(grace: Double = 5) -> Status {
        if let status = status { return status }
        signal(SIGTERM)
        if let status = wait(timeout: grace) { return status }
        return kill()
    }

    /// SIGKILL (the whole group with `group: .own`) and reap: the abrupt end a crash would be.
    @discardableResult
    public func kill() -> Status {
        signal(SIGKILL)
        return reap(blocking: true)!
    }

    /// Runs `executable` to the end, at most `timeout` seconds (then it is stopped), and returns
    /// its status with what it wrote to standard output and standard error.
    public static func run(_ executable: String, _ arguments: [String] = [], environment: [String: String] = [:],
                           timeout: Double = 120) throws -> (status: Status, output: String, errors: String, timedOut: Bool) {
        let folder = try TemporaryFolder(prefix: "continuo-run")
        let out = folder.path("stdout"), err = folder.path("stderr")
        let child = try ChildProcess(executable, arguments, environment: environment, standardOutput: .file(out), standardError: .file(err))
        let finished = child.wait(timeout: timeout)
        let status = finished ?? child.stop(grace: 2)
        func text(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }
        return (status, text(out), text(err), finished == nil)
    }

    /// Reaps the child if it has ended (or, blocking, once it ends). Before reaping, whatever
    /// is left of an own group is killed: the group's id stays reserved while the leader is an
    /// unreaped zombie, so the signal cannot reach a stranger.
    private func reap(blocking: Bool) -> Status? {
        if let status = state.withLock({ $0 }) { return status }
        // Peek without reaping (WNOWAIT) and without the lock, so a blocking wait never holds
        // up `signal` or `stop` on another thread.
        var info = siginfo_t()
        while true {
            memset(&info, 0, MemoryLayout<siginfo_t>.size)
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT | (blocking ? 0 : WNOHANG)) == 0 { break }
            if errno == EINTR { continue }
            // ECHILD: reaped meanwhile by another thread of ours.
            return state.withLock { status in
                if status == nil { status = .signalled(0) }
                return status
            }
        }
        guard info.si_signo == SIGCHLD else { return nil } // WNOHANG and still running
        return state.withLock { status in
            if let status { return status }
            if group == .own { _ = Glibc.kill(-pid, SIGKILL) }
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import as macros.
            let signal = raw & 0x7F
            status = signal == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(signal)
            return status
        }
    }
}

/// A folder of its own under the system's temporary directory, removed with everything in it
/// when the owner lets go of it.
public final class TemporaryFolder: Sendable {
    public let url: URL

    public init(prefix: String = "continuo") throws {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        url = URL(fileURLWithPath: String(cString: made), isDirectory: true)
    }

    /// The path of `name` inside the folder.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() { try? FileManager.default.removeItem(at: url) }

    deinit { remove() }
}
