import Foundation
import LuaHost
import Synchronization

/// Passwords handed to Lua hooks as handles, never as text: the hook's `input.check.password`
/// is `sealed:<random>`, which only `mailmon.check.imap/pop3` turns back into the password (the
/// host fills it in where it makes the connection). A hook that logs or returns its input
/// shows the handle. A handle lives while its hook call runs.
public final class SealedSecrets: Sendable {
    static let prefix = "sealed:"
    private let secrets = Mutex<[String: String]>([:])

    public init() {}

    /// A new handle for `secret`; `release` it when the call that may use it has returned.
    public func seal(_ secret: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let handle = Self.prefix + (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined(separator: "-")
        secrets.withLock { $0[handle] = secret }
        return handle
    }

    /// The secret behind `value` when it is a live handle; nil when it is no handle; throws for a stale one.
    func unseal(_ value: String) throws -> String? {
        guard value.hasPrefix(Self.prefix) else { return nil }
        guard let secret = secrets.withLock({ $0[value] }) else {
            throw LuaHostError("the sealed password is no longer valid: it can be used only while the hook that got it runs")
        }
        return secret
    }

    public func release(_ handle: String) {
        _ = secrets.withLock { $0.removeValue(forKey: handle) }
    }

    /// Handles alive now (tests).
    var count: Int { secrets.withLock { $0.count } }
}
