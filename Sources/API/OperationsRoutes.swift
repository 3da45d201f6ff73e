public import Engine
import Foundation
public import Hummingbird
import HTTPTypes

/// What an operator's tools ask of a process: liveness, readiness and metrics.
public struct OperationsEndpoints: Sendable {
    public var readiness: Readiness
    /// The Prometheus text exposition (nil: no `/metrics`).
    public var metrics: (@Sendable () async throws -> [UInt8])?
    /// When set, `/metrics` wants `Authorization: Bearer <token>` (a scraper's credential, not an API token).
    public var metricsToken: String?

    public init(readiness: Readiness, metrics: (@Sendable () async throws -> [UInt8])?, metricsToken: String? = nil) {
        self.readiness = readiness
        self.metrics = metrics
        self.metricsToken = metricsToken
    }
}

/// `GET /health` (alive: answers while the process runs), `GET /ready` (200, or 503 with the
/// reasons) and `GET /metrics` (Prometheus text format).
struct OperationsRoutes {
    let endpoints: OperationsEndpoints

    func add(to router: Router<MailmonRequestContext>) {
        router.get("health") { _, _ in Response.json { json in json.object { json in json.field("status", "ok") } } }
        router.get("ready") { _, _ in
            let report = await endpoints.readiness.report()
            return Response.json(report.ready ? .ok : .serviceUnavailable) { json in
                json.object { json in
                    json.field("status", report.ready ? "ready" : "not ready")
                    json.field("reasons", strings: report.reasons)
                }
            }
        }
        guard let metrics = endpoints.metrics else { return }
        let expected = endpoints.metricsToken.map { "Bearer " + $0 }
        router.get("metrics") { request, _ in
            if let expected, !Self.matches(request.headers[.authorization], expected) {
                throw APIError(.unauthorized, "Unauthorized: /metrics wants Authorization: Bearer <metrics token>")
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: try await metrics())))
        }
    }

    /// Compares without an early exit on the first differing byte.
    static func matches(_ given: String?, _ expected: String) -> Bool {
        guard let given else { return false }
        let a = Array(given.utf8)
        let b = Array(expected.utf8)
        var difference = a.count ^ b.count
        for index in 0..<min(a.count, b.count) { difference |= Int(a[index] ^ b[index]) }
        return difference == 0
    }
}

/// A router with only the operations endpoints (`mailmon worker --listen`).
public func buildOperationsRouter(_ endpoints: OperationsEndpoints) -> Router<MailmonRequestContext> {
    let router = Router(context: MailmonRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    OperationsRoutes(endpoints: endpoints).add(to: router)
    return router
}
