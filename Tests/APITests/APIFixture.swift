import Notifiers
import App
import API
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import MailmonTestSupport
import SQLiteStore
import Domain

/// A server on a fresh database with a copy of the shipped scripts, and tokens for each role.
struct APIFixture {
    let runtime: MailmonRuntime
    let scriptsDirectory: String
    let admin: String
    let member: String
    let readonly: String
    let supporter: String

    static func make() async throws -> APIFixture {
        let directory = try TemporaryDirectory.make(prefix: "mm-api-")
        let scripts = directory + "/scripts"
        try FileManager.default.copyItem(atPath: shippedScripts, toPath: scripts)
        let runtime = try await MailmonRuntime.open(databasePath: directory + "/mailmon.sqlite", scriptsDirectory: scripts)
        let admin = try await AccessTokens.bootstrap(runtime.database)!
        return APIFixture(
            runtime: runtime, scriptsDirectory: scripts, admin: admin,
            member: try await AccessTokens.create(in: runtime.database, role: .member).token,
            readonly: try await AccessTokens.create(in: runtime.database, role: .readonly).token,
            supporter: try await AccessTokens.create(in: runtime.database, role: .member, globalSupporter: true).token)
    }

    /// A fresh fixture served live, with one customer (`publicId`, named Acme) made by its admin.
    static func withCustomer(
        _ publicId: String, _ body: @Sendable (APIFixture, any TestClientProtocol) async throws -> Void
    ) async throws {
        let fixture = try await APIFixture.make()
        try await fixture.application.test(.live) { client in
            let created = try await client.call(.post, "/api/customers", token: fixture.admin,
                json: #"{"name": "Acme", "publicId": "\#(publicId)"}"#)
            guard created.status == .created else { throw TestSupportError("customer not created: \(created.body)") }
            try await body(fixture, client)
        }
    }

    var application: some ApplicationProtocol {
        Application(router: buildRouter(APIDependencies(runtime: runtime)))
    }

    static var shippedScripts: String { ShippedScripts.path }

    /// The version a shipped script declares (`version = "1.2.0"`).
    static func shippedVersion(_ name: String) throws -> String {
        let source = try String(contentsOfFile: "\(shippedScripts)/\(name).lua", encoding: .utf8)
        guard let range = source.range(of: #"version = "[0-9.]+""#, options: .regularExpression) else {
            throw TestSupportError("\(name).lua declares no version")
        }
        return String(source[range].dropFirst(#"version = ""#.count).dropLast())
    }
}

extension TestClientProtocol {
    func call(
        _ method: HTTPRequest.Method, _ path: String, token: String?, json: String? = nil
    ) async throws -> (status: HTTPResponse.Status, body: [String: Any]) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) { response in
            let isJSON = response.headers[.contentType]?.hasPrefix("application/json") ?? true
            let object = response.body.readableBytes == 0 || !isJSON
                ? [:] : (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:])
            return (response.status, object)
        }
    }
}
