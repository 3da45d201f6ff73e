import SQLiteStore
import Domain
import Notifiers
import App
import API
import Foundation
import HummingbirdTesting
import Testing

/// docs/openapi.yaml matches the server: every documented path and method is a route
/// (without a token an /api route answers 401, an unknown one 404).
@Suite("OpenAPI document matches the routes")
struct OpenAPIRouteTests {
    static let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml").path

    /// (method, path) pairs: path keys at two spaces under `paths:`, methods at four.
    static func operations() throws -> [(String, String)] {
        var operations: [(String, String)] = []
        var inPaths = false
        var path: String?
        for line in try String(contentsOfFile: document, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            guard inPaths else { continue }
            if let first = line.first, first != " " && first != "#" { inPaths = false; continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "patch", "put", "delete"].contains(String(key)) { operations.append((key.uppercased(), path)) }
            }
        }
        return operations
    }

    @Test("every documented operation is served")
    func documentedRoutesExist() async throws {
        let operations = try Self.operations()
        #expect(operations.count >= 15)
        let fixture = try await APIFixture.make()
        try await fixture.application.test(.live) { client in
            for (method, path) in operations {
                let concrete = path.replacingOccurrences(of: #"\{[A-Za-z]*[iI]d\}"#, with: UUID().uuidString.lowercased(), options: .regularExpression)
                    .replacingOccurrences(of: "{id}", with: "1")
                let (status, _) = try await client.call(.init(method)!, concrete, token: nil, json: "{}")
                let expected: UInt = path.hasPrefix("/api/") ? 401 : 200
                #expect(UInt(status.code) == expected, "\(method) \(path) answered \(status.code)")
            }
            let (status, body) = try await client.call(.get, "/api/no-such-route", token: nil)
            #expect(status.code == 404, "an unknown route is a 404, so the 401s above mean the routes exist")
            #expect(body["statusCode"] as? Int == 404 && body["statusMessage"] as? String == "Not Found" && body["message"] is String)
        }
    }

    @Test("every route the server has is documented")
    func servedRoutesAreDocumented() async throws {
        let documented = Set(try Self.operations().map { "\($0.0) \($0.1)" })
        let fixture = try await APIFixture.make()
        // Hummingbird describes a parameter as "{name}", as OpenAPI writes it.
        let served = buildRouter(APIDependencies(runtime: fixture.runtime)).routes.map { "\($0.method.rawValue) \($0.path)" }
        #expect(served.count >= 15)
        for route in served { #expect(documented.contains(route), "\(route) is served but not in docs/openapi.yaml") }
    }
}
