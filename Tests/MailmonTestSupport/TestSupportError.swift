import Foundation
import Synchronization

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A lock around a value, for process-wide fixtures and values tasks share in a test.
public final class LockedValue<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    public init(_ value: Value) { mutex = Mutex(value) }
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try mutex.withLock { try body(&$0) }
    }
}

public enum TemporaryDirectory {
    /// A short path (Dovecot's unix socket paths must stay under ~100 bytes), mode 0755
    /// so Dovecot's unprivileged processes can read what is inside.
    public static func make(prefix: String) throws -> String {
        var template = Array("/tmp/\(prefix)XXXXXX".utf8CString)
        guard let pointer = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestSupportError("mkdtemp failed: \(errno)")
        }
        let path = String(cString: pointer)
        chmod(path, 0o755)
        return path
    }
}
