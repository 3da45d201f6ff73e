import Hummingbird
import HTTPTypes
import Synchronization

/// A path the API serves, asked with a method it does not take: 405 with `Allow`, not 404.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = MailmonRequestContext

    /// The routes, filled in once the router has them all.
    final class Routes: Sendable {
        private let templates = Mutex<[(method: String, segments: [Substring])]>([])

        func set(_ routes: [(method: String, path: String)]) {
            templates.withLock { $0 = routes.map { ($0.method, $0.path.split(separator: "/")) } }
        }

        /// The methods served at `path`, sorted; empty when no route has this path.
        func methods(for path: String) -> [String] {
            let segments = path.split(separator: "/")
            let matching = templates.withLock { templates in
                templates.filter { template in
                    template.segments.count == segments.count
                        && zip(template.segments, segments).allSatisfy { pattern, segment in
                            pattern == segment || pattern.hasPrefix("{") || pattern.hasPrefix(":")
                        }
                }.map(\.method)
            }
            return Array(Set(matching)).sorted()
        }
    }

    let routes: Routes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = routes.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            throw APIError(.methodNotAllowed, "\(request.method.rawValue) is not served here; allowed: \(allowed.joined(separator: ", "))")
                .with(header: .allow, allowed.joined(separator: ", "))
        }
    }
}
