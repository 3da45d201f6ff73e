import Engine
import Foundation
public import Hummingbird
public import Domain
import Logging
import NIOCore
import NIOHTTP1

/// Maps whatever a route throws to the error body: domain refusals keep their
/// status, Lua failures become 500 naming script and line (and are logged),
/// Hummingbird's own errors (404 no route, 413) get the same body.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as DomainError {
            return try APIError(error.status, error.message).response(from: request, context: context)
        } catch let error as any ScriptFailure {
            context.logger.error("policy script failed", metadata: ["error": "\(error)"])
            return try APIError(.internalServerError, "policy script failed: \(error.scriptLocation.map { "\($0): " } ?? "")\(error.failureMessage)")
                .response(from: request, context: context)
        } catch let error as HTTPError {
            return try APIError(error.status, error.body ?? error.status.reasonPhrase).response(from: request, context: context)
        } catch let error as HTTPParserError {
            // A body that cannot be parsed (bad chunking): the connection's handler answers 400 with the error body.
            throw error
        } catch is NIOTooManyBytesError {
            return try APIError(.contentTooLarge, "request body larger than \(BodyReader.maxBytes) bytes").response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return try APIError(.internalServerError, "internal error").response(from: request, context: context)
        }
    }
}

extension DomainError {
    /// The HTTP status of each kind of refusal; a policy's own 4xx is kept as it chose (the API's
    /// error bodies and the dashboard's pages alike).
    public var status: HTTPResponse.Status {
        switch kind {
        case .invalid: .badRequest
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .rateLimited: .tooManyRequests
        case .rejectedByPolicy(let status): HTTPResponse.Status(code: status)
        }
    }
}
