import Crypto
public import Foundation
public import Domain

/// API tokens: `mm_` + 40 URL-safe characters, shown once, stored as SHA-256.
public enum AccessTokens {
    public static let prefix = "mm_"

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<30).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let encoded = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        return prefix + encoded
    }

    public static func hash(_ token: String) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(token.utf8)) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Creates a user holding a new token; returns the token (the only time it exists in clear).
    public static func create(
        in repository: any AccessRepository, role: Role, globalSupporter: Bool = false, customerId: Int64? = nil,
        organizationId: Int64? = nil, userName: String? = nil, platformOperator: Bool = false, expiresAt: Date? = nil,
        audit: AuditRecord? = nil
    ) async throws -> (token: String, principal: Principal) {
        var (token, stored) = newToken(
            organizationId: organizationId, userName: userName ?? "\(role.rawValue) token", role: role,
            globalSupporter: globalSupporter, customerId: customerId, platformOperator: platformOperator)
        stored.expiresAt = expiresAt
        return (token, try await repository.createUserWithToken(stored, audit: audit))
    }

    /// A fresh token, and what of it is stored (its prefix and hash, never the token).
    private static func newToken(
        organizationId: Int64?, userName: String, role: Role, globalSupporter: Bool, customerId: Int64?, platformOperator: Bool
    ) -> (token: String, stored: NewToken) {
        let token = generate()
        return (token, NewToken(
            organizationId: organizationId, userName: userName, role: role, globalSupporter: globalSupporter,
            customerId: customerId, prefix: String(token.prefix(11)), hash: hash(token), platformOperator: platformOperator))
    }

    /// On a database without users: the default organization (unless one exists) and an admin
    /// with a token, in one transaction; nil when a user exists (`mailmon token create` made one).
    /// Whoever installed mailmon runs the platform: this first admin is its operator.
    public static func bootstrap(_ repository: any AccessRepository) async throws -> String? {
        let (token, admin) = newToken(
            organizationId: nil, userName: "admin", role: .admin, globalSupporter: false, customerId: nil, platformOperator: true)
        return try await repository.bootstrapUser(admin, organizationName: "Default organization") == nil ? nil : token
    }
}
