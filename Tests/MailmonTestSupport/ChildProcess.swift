public import Foundation

/// A program running beside the test (a `mailmon serve` or `mailmon worker`): spawned with
/// posix_spawn, stdin from /dev/null, stdout and stderr to files the test can read,
/// signalled and reaped by the test. `deinit` kills and reaps it if the test did not.
public final class ChildProcess: Sendable {
    public let pid: pid_t
    public let stdoutPath: String
    public let stderrPath: String
    private let reaped = LockedValue<Int32?>(nil)

    /// Starts `path` with `arguments`; `environment` is added to this process's environment.
    public static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], outputPrefix: String
    ) throws -> ChildProcess {
        try spawn(path, arguments, environment: environment, stdoutPath: outputPrefix + ".out", stderrPath: outputPrefix + ".err")
    }

    /// Starts `path` with stdout and stderr going to the given files (`/dev/null` for neither).
    static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], stdoutPath: String, stderrPath: String
    ) throws -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard spawned == 0 else { throw TestSupportError("posix_spawn \(path) failed: \(spawned)") }
        return ChildProcess(pid: pid, stdoutPath: stdoutPath, stderrPath: stderrPath)
    }

    private init(pid: pid_t, stdoutPath: String, stderrPath: String) {
        self.pid = pid
        self.stdoutPath = stdoutPath
        self.stderrPath = stderrPath
    }

    deinit {
        if reaped.withLock({ $0 }) == nil {
            kill(pid, SIGKILL)
            _ = try? waitForExit()
        }
    }

    /// What the program wrote so far, stdout then stderr.
    public var output: String {
        [stdoutPath, stderrPath].map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }.joined(separator: "\n")
    }

    public func send(_ signal: Int32) { kill(pid, signal) }

    /// The exit status if the program has ended (reaping it), nil while it runs.
    private func endedStatus() -> Int32? {
        if let status = reaped.withLock({ $0 }) { return status }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        return recordExit(status)
    }

    /// The exit code (or 128 + the signal) of a wait status, remembered as reaped.
    private func recordExit(_ status: Int32) -> Int32 {
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        reaped.withLock { $0 = code }
        return code
    }

    /// Waits for the program to end; its exit status, or 128 + the signal that ended it.
    @discardableResult
    public func waitForExit() throws -> Int32 {
        if let status = reaped.withLock({ $0 }) { return status }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw TestSupportError("waitpid failed: \(errno)") }
        }
        return recordExit(status)
    }

    /// Polls `condition` every 50 ms until it holds; throws after `timeout` with the program's output.
    public func waitUntil(
        _ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            // A program that ended cannot bring the condition about: say so now, with its status.
            if let status = endedStatus() {
                if try await condition() { return }
                throw TestSupportError("pid \(pid) ended (status \(status)) before \(what); its output:\n\(output)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("timed out waiting for \(what); output of pid \(pid):\n\(output)")
    }
}
