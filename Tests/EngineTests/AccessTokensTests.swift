import Notifiers
import App
import Engine
import Foundation
import MailmonTestSupport
import SQLiteStore
import Domain
import Testing

/// `mailmon serve` prints an admin token once, on a database without users.
@Suite("Bootstrap of the first admin")
struct AccessTokensTests {
    static func database() throws -> (AppDatabase, String) {
        let directory = try TemporaryDirectory.make(prefix: "mm-bootstrap-")
        return (try AppDatabase(path: directory + "/mailmon.sqlite"), directory)
    }

    @Test("an empty database gets the default organization and an admin, once")
    func once() async throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let token = try #require(try await AccessTokens.bootstrap(database))
        let admin = try #require(try await database.principal(tokenHash: AccessTokens.hash(token)))
        #expect(admin.role == .admin && !admin.globalSupporter && admin.customerId == nil)
        #expect(try await AccessTokens.bootstrap(database) == nil)
    }

    @Test("an organization left without users (a crash before the admin was written) still gets its admin")
    func organizationWithoutUsers() async throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (organization, created) = try await database.ensureDefaultOrganization(name: "Default organization")
        #expect(created)
        let token = try #require(try await AccessTokens.bootstrap(database))
        #expect(try await database.principal(tokenHash: AccessTokens.hash(token))?.organizationId == organization)
    }

    @Test("after `mailmon token create` made the first user, no admin is bootstrapped behind the operator's back")
    func tokenCreatedFirst() async throws {
        let (database, directory) = try Self.database()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await database.ensureDefaultOrganization(name: "Default organization")
        _ = try await AccessTokens.create(in: database, role: .member)
        #expect(try await AccessTokens.bootstrap(database) == nil)
    }
}
