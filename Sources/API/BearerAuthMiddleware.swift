import Engine
import Foundation
import Hummingbird
import Domain

/// `Authorization: Bearer <token>` → the principal in the request context, or 401.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = MailmonRequestContext
    let principals: PrincipalCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.unauthorized, "Unauthorized: missing bearer token")
        }
        let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        guard let principal = try await principals.principal(token: token) else {
            throw APIError(.unauthorized, "Unauthorized: invalid token")
        }
        var context = context
        context.principal = principal
        return try await next(request, context)
    }
}
