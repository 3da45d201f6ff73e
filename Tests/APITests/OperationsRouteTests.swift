import API
import App
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// `/ready` and `/metrics` as the HTTP API serves them.
@Suite("Operations routes")
struct OperationsRouteTests {
    @Test("/ready answers 200 with no reasons; /metrics is Prometheus text, behind its own token when one is set")
    func readyAndMetrics() async throws {
        let fixture = try await APIFixture.make()
        let operations = fixture.runtime.operations(runsWorker: false, metricsToken: "scrape-secret")
        let app = Application(router: buildRouter(APIDependencies(runtime: fixture.runtime, operations: operations)))
        try await app.test(.router) { client in
            let (status, body) = try await client.call(.get, "/ready", token: nil)
            #expect(status == .ok)
            #expect(body["status"] as? String == "ready" && (body["reasons"] as? [String]) == [])
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(fixture.admin)"]) { response in
                #expect(response.status == .unauthorized, "an API token is not the metrics token")
            }
            try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer scrape-secret"]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let text = String(buffer: response.body)
                #expect(text.contains("# TYPE mailmon_build_info gauge"))
                #expect(text.contains(#"mailmon_script_info{script="hooks/post_check",version="#))
            }
        }
    }
}
