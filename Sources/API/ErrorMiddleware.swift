import Engine
import Foundation
import Hummingbird
import LuaHost
import Logging
import NIOCore

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
            return try APIError(HTTPResponse.Status(code: error.status), error.message).response(from: request, context: context)
        } catch let error as LuaScriptError {
            context.logger.error("policy script failed", metadata: ["error": "\(error)"])
            return try APIError(.internalServerError, "policy script failed: \(error.location.map { "\($0): " } ?? "")\(error.message)")
                .response(from: request, context: context)
        } catch let error as HTTPError {
            return try APIError(error.status, error.body ?? error.status.reasonPhrase).response(from: request, context: context)
        } catch is NIOTooManyBytesError {
            return try APIError(.contentTooLarge, "request body larger than \(BodyReader.maxBytes) bytes").response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return try APIError(.internalServerError, "internal error").response(from: request, context: context)
        }
    }
}
