import SQLiteStore
import Domain
import Notifiers
import App
import Engine
import Foundation
import LuaHost
import MailProbe
import MailmonTestSupport
import Testing

@Suite("mailmon.check.* from Lua, and the Lua default-port rule")
struct CheckBindingTests {
    /// A script library with a ports rule that points the plain IMAP default at the test Dovecot
    /// (proving the port comes from Lua), and a hook that runs checks.
    static func library(defaultIMAP: Int) async throws -> ScriptLibrary {
        let directory = try TemporaryDirectory.make(prefix: "mm-lua-")
        try FileManager.default.createDirectory(atPath: directory + "/lib", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/hooks", withIntermediateDirectories: true)
        try """
            local M = { version = "9.0.0" }
            function M.default_port(protocol, tls)
              if protocol == "imap" and not tls then return \(defaultIMAP) end
              return ({ imap = { [true] = 993 }, pop3 = { [true] = 995, [false] = 110 } })[protocol][tls]
            end
            return M
            """.write(toFile: directory + "/lib/ports.lua", atomically: true, encoding: .utf8)
        try """
            local M = { version = "1.0.0" }
            function M.imap(host, port, user, password, extra)
              local request = { host = host, port = port, user = user, password = password, timeoutSeconds = 10 }
              for k, v in pairs(extra or {}) do request[k] = v end
              local r = mailmon.check.imap(request)
              return { ok = r.ok, category = r.category, count = r.messageCount, port = r.port,
                       subject = r.certificate and r.certificate.subject, total = r.timings.total }
            end
            function M.bad(value) return mailmon.check.pop3(value) end
            return M
            """.write(toFile: directory + "/hooks/probe.lua", atomically: true, encoding: .utf8)
        let handle = ScriptLibraryHandle()
        let transport = try ProbeTransport(additionalTrustRootsFile: try TestCertificates.shared().caFile)
        let runner = CheckRunner(probes: ProbeRegistry(transport: transport), ports: PortRule(library: handle))
        let library = ScriptLibrary(directory: directory, hostFunctions: .checks(runner))
        handle.set(library)
        try await library.reload()
        return library
    }

    static let server = Result { try DovecotServer.start() }

    @Test("a hook checks a mailbox; port nil resolves through lib/ports.lua")
    func checkFromLua() async throws {
        let server = try Self.server.get()
        let library = try await Self.library(defaultIMAP: server.ports.imap)
        let result = try await library.call("hooks/probe", "imap", ["127.0.0.1", .nil, "alice", "secret"])
        let table = try #require(result.first?.tableValue)
        #expect(table["ok"] == .boolean(true))
        #expect(table["count"] == .integer(3))
        #expect(table["port"] == .integer(Int64(server.ports.imap)))
        #expect(table["total"].numberValue != nil)
    }

    @Test("a failed check comes back as a result table, not an error")
    func failureIsAResult() async throws {
        let server = try Self.server.get()
        let library = try await Self.library(defaultIMAP: server.ports.imap)
        let result = try await library.call("hooks/probe", "imap", ["127.0.0.1", .integer(Int64(server.ports.imaps)), "alice", "nope", ["tls": true]])
        let table = try #require(result.first?.tableValue)
        #expect(table["ok"] == .boolean(false))
        #expect(table["category"] == "auth_failed")
        #expect(table["subject"] == "CN=localhost")
    }

    @Test("bad arguments are a Lua error naming the script line")
    func badArguments() async throws {
        let library = try await Self.library(defaultIMAP: 1)
        await #expect(throws: LuaScriptError.self) { try await library.call("hooks/probe", "bad", ["not a table"]) }
        do {
            _ = try await library.call("hooks/probe", "bad", [["host": "x", "port": 70_000]])
            Issue.record("expected an error")
        } catch {
            #expect(error.script == "hooks/probe.lua")
            #expect(error.line == 9)
            #expect(error.message.contains("port"))
        }
    }

    @Test("the CLI's runner resolves the default port from the shipped rule")
    func shippedRule() async throws {
        let handle = ScriptLibraryHandle()
        let library = ScriptLibrary(directory: Self.shippedScripts)
        try await library.reload()
        handle.set(library)
        let rule = PortRule(library: handle)
        #expect(try await rule.defaultPort(.imap, tls: true) == 993)
        #expect(try await rule.defaultPort(.imap, tls: false) == 143)
        #expect(try await rule.defaultPort(.pop3, tls: true) == 995)
        #expect(try await rule.defaultPort(.pop3, tls: false) == 110)
    }

    static var shippedScripts: String { ShippedScripts.path }
}
