import Foundation

/// Runs a program to completion with posix_spawn + waitpid: stdin and stdout
/// from/to /dev/null, stderr to a file (or /dev/null). Foundation's `Process`
/// is avoided on purpose: it may never reap a launcher whose daemonized child
/// keeps the inherited descriptors open (Dovecot's does).
enum Subprocess {
    static func run(_ path: String, _ arguments: [String], stderrPath: String? = nil) throws -> Int32 {
        try ChildProcess.spawn(path, arguments, stdoutPath: "/dev/null", stderrPath: stderrPath ?? "/dev/null").waitForExit()
    }
}
