import SQLiteStore
import Domain
import Notifiers
import App
import AsyncHTTPClient
import Engine
import LuaHost
import Foundation
import MailmonTestSupport
import NIOCore
import NIOHTTP1

/// The `mailmon` executable that `swift build`/`swift test` put beside the test binary,
/// and a working directory with a copy of the shipped scripts.
enum MailmonBinary {
    static func path() throws -> String {
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("mailmon").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSupportError("no mailmon executable at \(path): run `swift build` first")
        }
        return path
    }

    /// A temporary directory holding `scripts/` (a copy of the shipped ones); the database goes beside it.
    static func workspace(_ prefix: String) throws -> String {
        let directory = try TemporaryDirectory.make(prefix: prefix)
        try FileManager.default.copyItem(atPath: shippedScripts, toPath: directory + "/scripts")
        return directory
    }

    static func start(_ command: String, in directory: String, _ arguments: [String], name: String) throws -> ChildProcess {
        try ChildProcess.spawn(
            try path(), [command, "--database", directory + "/mailmon.sqlite", "--scripts", directory + "/scripts"] + arguments,
            environment: ["MAILMON_LOG_LEVEL": "debug"], outputPrefix: "\(directory)/\(name)")
    }

    static var shippedScripts: String { ShippedScripts.path }

    /// The runtime on `directory`'s database (as the processes there open it), an admin and a customer.
    static func runtimeWithCustomer(in directory: String) async throws -> (runtime: MailmonRuntime, admin: Principal, customer: Customer) {
        let runtime = try await MailmonRuntime.open(databasePath: directory + "/mailmon.sqlite", scriptsDirectory: directory + "/scripts")
        _ = try await runtime.database.ensureDefaultOrganization(name: "Org")
        let admin = try await AccessTokens.create(in: runtime.database, role: .admin).principal
        let customer = try await runtime.customers.create(["name": "Acme"], actor: admin)
        return (runtime, admin, customer)
    }

    /// Waits until `serve` printed its bootstrap token and listens on `port`; the token.
    static func bootstrapToken(of serve: ChildProcess, port: Int) async throws -> String {
        var token = ""
        try await serve.waitUntil("the bootstrap token and the listener") {
            token = serve.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("mm_") } ?? ""
            return !token.isEmpty && FreePorts.accepts(port)
        }
        return token
    }
}

/// JSON over HTTP to a server in another process.
struct HTTPCall {
    let base: String
    let token: String?

    func callAsFunction(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> (status: Int, body: [String: Any]) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let body = bytes.readableBytes == 0
            ? [:] : (try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] ?? [:])
        return (Int(response.status.code), body)
    }
}
