import Notifiers
import App
@testable import Engine
import Foundation
import MailmonTestSupport
import SQLiteStore
import Domain
import Testing

/// Bearer tokens' principals come from memory for a second, then from the database again;
/// a revoked token is refused once its entry has expired. The clock is the test's.
@Suite("Principal cache")
struct PrincipalCacheTests {
    static let second: UInt64 = 1_000_000_000

    /// A database with its default organization, a clock at 0 and a cache on both.
    static func fixture(capacity: Int = PrincipalCache.defaultCapacity) throws -> (AppDatabase, LockedValue<UInt64>, PrincipalCache, String) {
        let directory = try TemporaryDirectory.make(prefix: "mm-principals-")
        let database = try AppDatabase(path: directory + "/mailmon.sqlite")
        let clock = LockedValue<UInt64>(0)
        let cache = PrincipalCache(access: database, lifetime: .seconds(1), capacity: capacity, now: { clock.withLock { $0 } })
        return (database, clock, cache, directory)
    }

    @Test("a principal is remembered for its lifetime: a token revoked meanwhile is refused once it has passed")
    func lifetime() async throws {
        let (database, clock, cache, directory) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await database.ensureDefaultOrganization(name: "Default organization")
        let (token, principal) = try await AccessTokens.create(in: database, role: .member)
        #expect(try await cache.principal(token: token) == principal)

        #expect(try await database.revokeToken(id: principal.tokenId))
        clock.withLock { $0 += Self.second - 1 }
        #expect(try await cache.principal(token: token) == principal, "still within the lifetime: from memory")
        clock.withLock { $0 += 1 }
        #expect(try await cache.principal(token: token) == nil, "the lifetime has passed: the database says revoked")
    }

    @Test("an unknown token is not remembered: once it exists, it is accepted at once")
    func unknownNotRemembered() async throws {
        let (database, _, cache, directory) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await database.ensureDefaultOrganization(name: "Default organization")
        let token = AccessTokens.generate()
        #expect(try await cache.principal(token: token) == nil)
        #expect(try await cache.principal(token: "not-a-token") == nil)

        _ = try await database.createUserWithToken(NewToken(
            organizationId: nil, userName: "late", role: .readonly, globalSupporter: false, customerId: nil,
            prefix: String(token.prefix(11)), hash: AccessTokens.hash(token)))
        #expect(try await cache.principal(token: token)?.role == .readonly)
    }

    @Test("at capacity with nothing expired, the cache starts over instead of growing")
    func capacity() async throws {
        let (database, _, cache, directory) = try Self.fixture(capacity: 2)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await database.ensureDefaultOrganization(name: "Default organization")
        var made: [(String, Principal)] = []
        for _ in 0..<3 { made.append(try await AccessTokens.create(in: database, role: .member)) }
        for (token, principal) in made { #expect(try await cache.principal(token: token) == principal) }

        // The third token's entry cleared the first two: revoked now, the first is refused at once.
        #expect(try await database.revokeToken(id: made[0].1.tokenId))
        #expect(try await database.revokeToken(id: made[2].1.tokenId))
        #expect(try await cache.principal(token: made[0].0) == nil)
        #expect(try await cache.principal(token: made[2].0) == made[2].1, "the newest entry stays")
    }
}
