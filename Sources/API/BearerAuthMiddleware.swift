import Engine
import Foundation
import Hummingbird
import HTTPTypes
import Domain

/// `Authorization: Bearer <token>` → the principal in the request context, or 401; repeated
/// invalid tokens from one address are slowed, then answered 429 (`AuthFailureLimiter`).
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = MailmonRequestContext
    let principals: PrincipalCache
    let limiter: AuthFailureLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, "Unauthorized: missing bearer token")
        }
        let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        let address = context.remoteAddress ?? "unknown"
        guard let principal = try await principals.principal(token: token) else {
            switch limiter.failed(address) {
            case .refuse: break
            case .slow(let delay): try await Task.sleep(for: delay)
            case .tooMany(let seconds):
                throw APIError(.tooManyRequests, "Too many failed authentications from this address; try again in \(seconds) s")
                    .with(header: .retryAfter, "\(seconds)")
            }
            throw APIError(.unauthorized, "Unauthorized: invalid token")
        }

        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
