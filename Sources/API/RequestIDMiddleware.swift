import Domain
import Hummingbird
import HTTPTypes

/// Every answer carries `X-Request-Id`: the client's own when it sent a plausible one, else the
/// server's. Changes made while handling the request record it in the audit log (`RequestOrigin`),
/// so an operator can find what a client's call did.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = MailmonRequestContext
    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[Self.header].flatMap(Self.acceptable) ?? context.id
        var response = try await RequestOrigin.$requestId.withValue(id) { try await next(request, context) }
        response.headers[Self.header] = id
        return response
    }

    /// 1-64 characters of letters, digits, `.`, `_`, `-` and `:` (a UUID or a trace id); anything
    /// else is replaced, never echoed.
    static func acceptable(_ value: String) -> String? {
        guard (1...64).contains(value.utf8.count),
            value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) || [0x2e, 0x5f, 0x2d, 0x3a].contains($0) })
        else { return nil }
        return value
    }
}
