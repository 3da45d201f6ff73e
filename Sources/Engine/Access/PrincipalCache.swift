import Dispatch
import Foundation
public import Domain
import Synchronization

/// The principal behind each bearer token, remembered for `lifetime` after the
/// database gave it.
///
/// Every API request presents a token, and its lookup is a point read on a
/// connection whose page cache every commit empties: under a stream of creates it
/// was a tenth of each create's CPU (decision 6). Within its lifetime a token's
/// principal comes from memory, so a token revoked or changed in the database
/// (`mailmon token revoke`, in another process) is refused at most `lifetime`
/// later. Only tokens the database knows are remembered: unknown ones cannot fill
/// the cache, and each is looked up again. Entries are keyed by the token's hash,
/// as in the database: no token is kept in clear.
public final class PrincipalCache: Sendable {
    /// How long a looked-up principal is used without asking the database again.
    public static let defaultLifetime: Duration = .seconds(1)
    /// Tokens remembered at most; past it, expired entries go, and if none had, all.
    static let defaultCapacity = 10_000

    private struct Entry {
        var principal: Principal
        var expires: UInt64
    }

    private let access: any AccessRepository
    private let lifetime: UInt64
    private let now: @Sendable () -> UInt64
    private let capacity: Int
    private let entries = Mutex<[String: Entry]>([:])
    /// When each token was last marked as used (monotonic nanoseconds).
    private let marked = Mutex<[Int64: UInt64]>([:])
    /// A token in use is marked in the database at most this often.
    static let markInterval: UInt64 = 60 * 1_000_000_000

    public convenience init(access: any AccessRepository, lifetime: Duration = PrincipalCache.defaultLifetime) {
        self.init(access: access, lifetime: lifetime, capacity: Self.defaultCapacity, now: nil)
    }

    /// `now`: a monotonic clock in nanoseconds; nil for the system's (tests pass their own).
    init(access: any AccessRepository, lifetime: Duration, capacity: Int, now: (@Sendable () -> UInt64)?) {
        self.access = access
        self.capacity = capacity
        let (seconds, attoseconds) = lifetime.components
        self.lifetime = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
        self.now = now ?? { DispatchTime.now().uptimeNanoseconds }
    }

    /// The principal of `token` (as presented, prefix included); nil for a token no one holds.
    public func principal(token: String) async throws -> Principal? {
        guard token.hasPrefix(AccessTokens.prefix) else { return nil }
        let hash = AccessTokens.hash(token)
        let time = now()
        if let entry = entries.withLock({ $0[hash] }), time < entry.expires { return entry.principal }
        let principal = try await access.principal(tokenHash: hash)
        if let principal { markUsed(principal.tokenId, time: time) }
        entries.withLock { entries in
            guard let principal else {
                entries[hash] = nil
                return
            }
            if entries.count >= capacity, entries[hash] == nil {
                entries = entries.filter { time < $0.value.expires }
                if entries.count >= capacity { entries = [:] }
            }
            entries[hash] = Entry(principal: principal, expires: time &+ lifetime)
        }
        return principal
    }

    /// Writes the token's last use in the background, at most once per `markInterval`.
    private func markUsed(_ tokenId: Int64, time: UInt64) {
        let due = marked.withLock { marked -> Bool in
            if let last = marked[tokenId], time &- last < Self.markInterval { return false }
            if marked.count >= capacity { marked = [:] }
            marked[tokenId] = time
            return true
        }
        guard due else { return }
        let access = self.access
        Task { try? await access.markTokenUsed(id: tokenId, at: Date()) }
    }
}
