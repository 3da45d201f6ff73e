import SQLiteStore
import Domain
import Notifiers
import App
import Foundation
import MailmonTestSupport
import NIOHTTP1
import Testing

/// `mailmon serve` configured by environment variables alone, `mailmon token create`
/// giving a working token of the chosen role, and `token list`/`revoke`, as an operator uses them.
@Suite("mailmon token create, list, revoke; serve configured by MAILMON_* variables")
struct TokenCommandTests {
    /// `mailmon serve` configured by MAILMON_PORT, MAILMON_DATABASE and MAILMON_SCRIPTS alone, in `directory`.
    static func serve(in directory: String) throws -> (serve: ChildProcess, port: Int, database: String) {
        let port = try FreePorts.take(1)[0]
        let database = directory + "/mailmon.sqlite"
        let serve = try ChildProcess.spawn(
            try MailmonBinary.path(), ["serve"],
            environment: ["MAILMON_PORT": "\(port)", "MAILMON_DATABASE": database, "MAILMON_SCRIPTS": directory + "/scripts"],
            outputPrefix: directory + "/serve")
        return (serve, port, database)
    }

    @Test("a token made by `token create` authenticates against `serve`, with the role it was made with")
    func tokenCreate() async throws {
        let directory = try MailmonBinary.workspace("mm-token-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (serve, port, database) = try Self.serve(in: directory)
        let admin = try await MailmonBinary.bootstrapToken(of: serve, port: port)  // listening on MAILMON_PORT
        #expect(FileManager.default.fileExists(atPath: database), "the database is where MAILMON_DATABASE says")

        let create = try ChildProcess.spawn(
            try MailmonBinary.path(), ["token", "create", "--role", "readonly", "--database", database],
            outputPrefix: directory + "/token")
        #expect(try create.waitForExit() == 0)
        let readonly = create.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(readonly.hasPrefix("mm_") && readonly != admin)

        let base = "http://127.0.0.1:\(port)"
        #expect(try await HTTPCall(base: base, token: readonly)(.GET, "/api/imap-pop-monitors").status == 200)
        let write = try await HTTPCall(base: base, token: readonly)(.POST, "/api/customers", json: #"{"name": "Acme"}"#)
        #expect(write.status == 403 && write.body["statusCode"] as? Int == 403)
        #expect(try await HTTPCall(base: base, token: admin)(.POST, "/api/customers", json: #"{"name": "Acme"}"#).status == 201)
        #expect(try await HTTPCall(base: base, token: "mm_" + String(repeating: "x", count: 40))(.GET, "/api/customers").status == 401)

        serve.send(SIGTERM)
        #expect(try serve.waitForExit() == 0)
    }

    @Test("`token list` shows each token's prefix, never the token; `token revoke` makes a running serve refuse it")
    func listAndRevoke() async throws {
        let directory = try MailmonBinary.workspace("mm-revoke-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (serve, port, database) = try Self.serve(in: directory)
        let admin = try await MailmonBinary.bootstrapToken(of: serve, port: port)
        let create = try ChildProcess.spawn(
            try MailmonBinary.path(), ["token", "create", "--role", "readonly", "--database", database], outputPrefix: directory + "/create")
        #expect(try create.waitForExit() == 0)
        let readonly = create.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let base = "http://127.0.0.1:\(port)"
        #expect(try await HTTPCall(base: base, token: readonly)(.GET, "/api/customers").status == 200)

        let list = try ChildProcess.spawn(try MailmonBinary.path(), ["token", "list", "--database", database], outputPrefix: directory + "/list")
        #expect(try list.waitForExit() == 0)
        #expect(!list.output.contains(readonly) && !list.output.contains(admin), "no token in clear")
        let row = try #require(list.output.split(separator: "\n").first { $0.contains(readonly.prefix(11)) })
        #expect(row.contains("readonly"))
        let id = try #require(row.split(separator: " ").first.map(String.init))

        let revoke = try ChildProcess.spawn(
            try MailmonBinary.path(), ["token", "revoke", id, "--database", database], outputPrefix: directory + "/revoke")
        #expect(try revoke.waitForExit() == 0)
        // Refused once the server's remembered principal has expired (a second), not before the revoke.
        try await serve.waitUntil("the revoked token refused") {
            try await HTTPCall(base: base, token: readonly)(.GET, "/api/customers").status == 401
        }
        #expect(try await HTTPCall(base: base, token: admin)(.GET, "/api/customers").status == 200)

        let again = try ChildProcess.spawn(
            try MailmonBinary.path(), ["token", "revoke", id, "--database", database], outputPrefix: directory + "/again")
        #expect(try again.waitForExit() != 0)
        #expect(again.output.contains("no token with id \(id)"))
        serve.send(SIGTERM)
        #expect(try serve.waitForExit() == 0)
    }

    /// `mailmon serve` with one bad setting: the variable `source`, or with `source` "file", the
    /// config file's `server.fileKey`. Returns it once it has said "not VALUE" and exited non-zero.
    static func refusedServe(
        _ directory: String, _ extra: [String: String], source: String, fileKey: String, value: String
    ) async throws -> ChildProcess {
        var environment = ["MAILMON_DATABASE": directory + "/mailmon.sqlite", "MAILMON_SCRIPTS": directory + "/scripts"]
        environment.merge(extra) { _, new in new }
        if source == "file" {
            try #"{"server": {"\#(fileKey)": \#(value)}}"#.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
            environment["MAILMON_CONFIG"] = directory + "/config.json"
        } else {
            environment[source] = value
        }
        let serve = try ChildProcess.spawn(try MailmonBinary.path(), ["serve"], environment: environment, outputPrefix: directory + "/serve")
        try await serve.waitUntil("the refusal") { serve.output.contains("not \(value)") }
        #expect(try serve.waitForExit() != 0)
        return serve
    }

    @Test(
        "serve refuses a write concurrency that is not an integer of 1-4096, from the environment or the file",
        arguments: [("MAILMON_WRITE_CONCURRENCY", "0"), ("MAILMON_WRITE_CONCURRENCY", "many"), ("file", "5000")])
    func badWriteConcurrency(source: String, value: String) async throws {
        let directory = try MailmonBinary.workspace("mm-admission-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try FreePorts.take(1)[0]
        let serve = try await Self.refusedServe(
            directory, ["MAILMON_PORT": "\(port)"], source: source, fileKey: "writeConcurrency", value: value)  // "… must be 1-4096, not 0"
        #expect(serve.output.lowercased().contains("write_concurrency") || serve.output.contains("write concurrency"))
    }

    @Test("serve refuses a port that is not 1-65535, from the environment or the file, before it opens the database",
          arguments: [("MAILMON_PORT", "80a"), ("MAILMON_PORT", "70000"), ("file", "0")])
    func badPort(source: String, value: String) async throws {
        let directory = try MailmonBinary.workspace("mm-port-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let serve = try await Self.refusedServe(directory, [:], source: source, fileKey: "port", value: value)  // "… must be 1-65535, not 0"
        #expect(!serve.output.contains("Admin token"), "nothing bootstrapped on a refused start")
        #expect(!FileManager.default.fileExists(atPath: directory + "/mailmon.sqlite"))
    }
}
