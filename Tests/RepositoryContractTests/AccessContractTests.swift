import Domain
import Foundation
import Testing

@Suite("Contract: organizations and tokens (AccessRepository)")
struct AccessContractTests {
    static func token(
        _ hash: String, organizationId: Int64? = nil, user: String = "user", role: Role = .admin, customerId: Int64? = nil,
        globalSupporter: Bool = false, platformOperator: Bool = false
    ) -> NewToken {
        NewToken(
            organizationId: organizationId, userName: user, role: role, globalSupporter: globalSupporter, customerId: customerId,
            prefix: "mm_" + hash.prefix(4), hash: hash, platformOperator: platformOperator)
    }

    @Test("ensureDefaultOrganization makes the first organization once, then returns it", arguments: StoreKind.allCases)
    func defaultOrganization(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.access.ensureDefaultOrganization(name: "First")
            #expect(first.created)
            let again = try await store.access.ensureDefaultOrganization(name: "Other name")
            #expect(again.id == first.id && !again.created)
            #expect(try await store.access.organizationExists(first.id))
            #expect(try await !store.access.organizationExists(first.id + 1000))
        }
    }

    @Test("bootstrapUser on an empty database makes the organization, the user and the token", arguments: StoreKind.allCases)
    func bootstrapOnEmpty(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let principal = try #require(
                try await store.access.bootstrapUser(Self.token("hash-a", user: "root", platformOperator: true), organizationName: "Boot"))
            #expect(principal.role == .admin && principal.platformOperator && principal.customerId == nil)
            #expect(try await store.access.organizationExists(principal.organizationId))
            // The organization it made is the first one.
            let first = try await store.access.ensureDefaultOrganization(name: "ignored")
            #expect(first.id == principal.organizationId && !first.created)
            #expect(try await store.access.principal(tokenHash: "hash-a") == principal)
            #expect(try await store.access.tokens().map(\.id) == [principal.tokenId])
        }
    }

    @Test("bootstrapUser uses an existing first organization that has no users", arguments: StoreKind.allCases)
    func bootstrapWithOrganization(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let principal = try #require(try await store.access.bootstrapUser(Self.token("hash-a"), organizationName: "Boot"))
            #expect(principal.organizationId == organization)
        }
    }

    @Test("bootstrapUser returns nil and writes nothing once a user exists", arguments: StoreKind.allCases)
    func bootstrapOnlyOnce(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try #require(try await store.access.bootstrapUser(Self.token("hash-a"), organizationName: "Boot"))
            #expect(try await store.access.bootstrapUser(Self.token("hash-b"), organizationName: "Boot") == nil)
            #expect(try await store.access.principal(tokenHash: "hash-b") == nil)
            #expect(try await store.access.tokens().map(\.id) == [first.tokenId])
        }
    }

    @Test("bootstrapUser returns nil once createUserWithToken made a user", arguments: StoreKind.allCases)
    func bootstrapAfterCreatedUser(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            _ = try await store.access.createUserWithToken(Self.token("hash-c", organizationId: organization))
            #expect(try await store.access.bootstrapUser(Self.token("hash-d"), organizationName: "Boot") == nil)
            #expect(try await store.access.principal(tokenHash: "hash-d") == nil)
            #expect(try await store.access.tokens().count == 1)
        }
    }

    @Test("principal(tokenHash:) returns the token's user, organization, role, customer scope and operator flag", arguments: StoreKind.allCases)
    func principals(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let scoped = try await store.access.createUserWithToken(
                Self.token("hash-scoped", organizationId: organization, user: "viewer", role: .readonly, customerId: customer.id))
            let operatorToken = try await store.access.createUserWithToken(
                Self.token("hash-operator", user: "op", role: .admin, globalSupporter: true, platformOperator: true))

            let readScoped = try #require(try await store.access.principal(tokenHash: "hash-scoped"))
            #expect(readScoped == scoped)
            #expect(readScoped.organizationId == organization && readScoped.role == .readonly && readScoped.customerId == customer.id)
            #expect(!readScoped.platformOperator && !readScoped.globalSupporter)

            let readOperator = try #require(try await store.access.principal(tokenHash: "hash-operator"))
            #expect(readOperator == operatorToken)
            // Without an organization given, the user is made in the first one.
            #expect(readOperator.organizationId == organization)
            #expect(readOperator.platformOperator && readOperator.globalSupporter && readOperator.customerId == nil)
            #expect(readOperator.userId != readScoped.userId && readOperator.tokenId != readScoped.tokenId)

            #expect(try await store.access.principal(tokenHash: "no-such-hash") == nil)
        }
    }

    @Test("createUserWithToken places the user in the given organization", arguments: StoreKind.allCases)
    func userInGivenOrganization(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.organization()
            let second = try await store.createOrganization("Second")
            let principal = try await store.access.createUserWithToken(Self.token("hash-2", organizationId: second))
            #expect(principal.organizationId == second)
            #expect(try await store.access.principal(tokenHash: "hash-2")?.organizationId == second)
        }
    }

    @Test("createUserWithToken refuses an unknown organization and a customer of another organization", arguments: StoreKind.allCases)
    func userRefused(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let second = try await store.createOrganization("Second")
            let otherCustomer = try await store.addCustomer(organizationId: second)
            await #expect(throws: (any Error).self) {
                try await store.access.createUserWithToken(Self.token("hash-x", organizationId: second + 1000))
            }
            await #expect(throws: (any Error).self) {
                try await store.access.createUserWithToken(Self.token("hash-y", organizationId: organization, customerId: otherCustomer.id))
            }
            #expect(try await store.access.principal(tokenHash: "hash-x") == nil)
            #expect(try await store.access.principal(tokenHash: "hash-y") == nil)
            #expect(try await store.access.tokens().isEmpty)
        }
    }

    @Test("tokens() lists every token oldest first, with prefix, user, role and scope", arguments: StoreKind.allCases)
    func tokenListing(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let first = try await store.access.createUserWithToken(Self.token("hash-1111", user: "alice", role: .admin))
            let second = try await store.access.createUserWithToken(
                Self.token("hash-2222", user: "bob", role: .member, customerId: customer.id))
            let third = try await store.access.createUserWithToken(
                Self.token("hash-3333", user: "carol", role: .readonly, platformOperator: true))

            let listed = try await store.access.tokens()
            #expect(listed.map(\.id) == [first.tokenId, second.tokenId, third.tokenId])
            #expect(listed.map(\.userName) == ["alice", "bob", "carol"])
            #expect(listed.map(\.prefix) == ["mm_hash", "mm_hash", "mm_hash"])
            #expect(listed.map(\.role) == [.admin, .member, .readonly])
            #expect(listed.map(\.customerId) == [nil, customer.id, nil])
            #expect(listed.map(\.platformOperator) == [false, false, true])
            #expect(listed.allSatisfy { $0.organizationId == organization })
        }
    }

    @Test("revokeToken deletes one token: its principal is gone, the others stay; false when there is none", arguments: StoreKind.allCases)
    func revoke(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await store.organization()
            let kept = try await store.access.createUserWithToken(Self.token("hash-keep"))
            let revoked = try await store.access.createUserWithToken(Self.token("hash-revoke"))

            #expect(try await store.access.revokeToken(id: revoked.tokenId))
            #expect(try await store.access.principal(tokenHash: "hash-revoke") == nil)
            #expect(try await store.access.principal(tokenHash: "hash-keep") == kept)
            #expect(try await store.access.tokens().map(\.id) == [kept.tokenId])

            #expect(try await !store.access.revokeToken(id: revoked.tokenId))
            #expect(try await !store.access.revokeToken(id: revoked.tokenId + 1000))
            // Without any token the users stay: the bootstrap still refuses.
            #expect(try await store.access.revokeToken(id: kept.tokenId))
            #expect(try await store.access.tokens().isEmpty)
            #expect(try await store.access.bootstrapUser(Self.token("hash-boot"), organizationName: "Boot") == nil)
        }
    }

    @Test("a token expires, is marked as used, and is listed per organization with its counts", arguments: StoreKind.allCases)
    func expiryUseAndOrganizations(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.access.ensureDefaultOrganization(name: "First").id
            let second = try await store.access.createOrganization(name: "Second")
            var expiring = Self.token("hash-exp", organizationId: first)
            expiring.expiresAt = Date(timeIntervalSince1970: 2_000_000_000)
            let principal = try await store.access.createUserWithToken(expiring)
            _ = try await store.access.createUserWithToken(Self.token("hash-other", organizationId: second))
            #expect(try await store.access.principal(tokenHash: "hash-exp", now: Date(timeIntervalSince1970: 1_999_999_999)) == principal)
            #expect(try await store.access.principal(tokenHash: "hash-exp", now: Date(timeIntervalSince1970: 2_000_000_000)) == nil)
            try await store.access.markTokenUsed(id: principal.tokenId, at: Date(timeIntervalSince1970: 1_900_000_000))
            let listed = try await store.access.tokens(organizationId: first)
            #expect(listed.map(\.id) == [principal.tokenId])
            #expect(listed.first?.lastUsedAt == Date(timeIntervalSince1970: 1_900_000_000))
            #expect(listed.first?.expiresAt == Date(timeIntervalSince1970: 2_000_000_000))
            #expect(try await store.access.tokens().count == 2)
            let organizations = try await store.access.organizations()
            #expect(organizations.map(\.name) == ["First", "Second"] && organizations.map(\.tokens) == [1, 1])
        }
    }
}
