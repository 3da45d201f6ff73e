public import Foundation

public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
    case admin, member, readonly
}

/// Who a request acts as: the token's user, organization and optional customer scope.
public struct Principal: Sendable, Hashable {
    public var userId: Int64
    public var organizationId: Int64
    public var role: Role
    public var globalSupporter: Bool
    /// A token scoped to one customer sees and changes only that customer's monitors.
    public var customerId: Int64?
    public var tokenId: Int64
    /// The platform's operator (made with `mailmon token create --operator`): may reload the server-wide scripts.
    public var platformOperator: Bool

    public init(
        userId: Int64, organizationId: Int64, role: Role, globalSupporter: Bool, customerId: Int64?, tokenId: Int64,
        platformOperator: Bool = false
    ) {
        self.userId = userId
        self.organizationId = organizationId
        self.role = role
        self.globalSupporter = globalSupporter
        self.customerId = customerId
        self.tokenId = tokenId
        self.platformOperator = platformOperator
    }
}

/// A token to create: only its hash and a display prefix are stored.
public struct NewToken: Sendable {
    public var organizationId: Int64?
    public var userName: String
    public var role: Role
    public var globalSupporter: Bool
    public var customerId: Int64?
    public var prefix: String
    public var hash: String
    public var platformOperator: Bool
    /// Nil: never expires.
    public var expiresAt: Date?

    public init(
        organizationId: Int64?, userName: String, role: Role, globalSupporter: Bool, customerId: Int64?, prefix: String, hash: String,
        platformOperator: Bool = false, expiresAt: Date? = nil
    ) {
        self.platformOperator = platformOperator
        self.expiresAt = expiresAt
        self.organizationId = organizationId
        self.userName = userName
        self.role = role
        self.globalSupporter = globalSupporter
        self.customerId = customerId
        self.prefix = prefix
        self.hash = hash
    }
}

/// A token as `mailmon token list` shows it: its stored prefix, never the token.
public struct TokenListing: Sendable, Equatable {
    public var id: Int64
    public var prefix: String
    public var userName: String
    public var organizationId: Int64
    public var role: Role
    public var globalSupporter: Bool
    public var customerId: Int64?
    public var createdAt: Date
    public var platformOperator: Bool
    public var expiresAt: Date?
    /// To the minute: a token in use is marked at most once a minute.
    public var lastUsedAt: Date?
    /// The scope's customer, when scoped.
    public var customerPublicId: UUID?
    public var customerName: String?

    public init(
        id: Int64, prefix: String, userName: String, organizationId: Int64, role: Role, globalSupporter: Bool, customerId: Int64?,
        createdAt: Date, platformOperator: Bool, expiresAt: Date? = nil, lastUsedAt: Date? = nil, customerPublicId: UUID? = nil,
        customerName: String? = nil
    ) {
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.customerPublicId = customerPublicId
        self.customerName = customerName
        self.id = id
        self.prefix = prefix
        self.userName = userName
        self.organizationId = organizationId
        self.role = role
        self.globalSupporter = globalSupporter
        self.customerId = customerId
        self.createdAt = createdAt
        self.platformOperator = platformOperator
    }
}

/// Tokens and their principals.
public protocol AccessRepository: Sendable {
    /// The principal of the token with this SHA-256 hash (hex), or nil (also when it expired before `now`).
    func principal(tokenHash: String, now: Date) async throws -> Principal?
    /// Creates the first organization if none exists; returns its id and whether it was created.
    func ensureDefaultOrganization(name: String) async throws -> (id: Int64, created: Bool)
    /// Creates a user with the token (in the given or the first organization).
    func createUserWithToken(_ token: NewToken, audit: AuditRecord?) async throws -> Principal
    /// On a database without users: the first organization (made if there is none) and this
    /// user with its token, in one transaction; nil, and nothing written, when a user exists.
    func bootstrapUser(_ token: NewToken, organizationName: String) async throws -> Principal?
    func organizationExists(_ id: Int64) async throws -> Bool
    /// Every token, oldest first; only `organizationId`'s when given.
    func tokens(organizationId: Int64?) async throws -> [TokenListing]
    /// Deletes the token; false when there is none with this id. Its user stays, without it.
    func revokeToken(id: Int64, audit: AuditRecord?) async throws -> Bool
    /// Records that the token was used at `at`.
    func markTokenUsed(id: Int64, at: Date) async throws
    /// A further organization (an MSP's second tenant); its id.
    func createOrganization(name: String) async throws -> Int64
    /// Every organization with its counts, oldest first.
    func organizations() async throws -> [OrganizationListing]
}

/// An organization as `mailmon org list` shows it.
public struct OrganizationListing: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var createdAt: Date
    public var customers: Int
    public var monitors: Int
    public var tokens: Int

    public init(id: Int64, name: String, createdAt: Date, customers: Int, monitors: Int, tokens: Int) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
        self.customers = customers
        self.monitors = monitors
        self.tokens = tokens
    }
}

extension AccessRepository {
    public func principal(tokenHash: String) async throws -> Principal? { try await principal(tokenHash: tokenHash, now: Date()) }
    public func tokens() async throws -> [TokenListing] { try await tokens(organizationId: nil) }
}
