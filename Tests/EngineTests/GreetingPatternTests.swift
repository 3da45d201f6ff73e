import App
import Domain
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import Testing

/// `greetingPattern`: the server's greeting must match, or the check fails as `greeting` (a host that
/// answers, but is not the server the monitor means).
@Suite("Greeting pattern")
struct GreetingPatternTests {
    @Test("a matching greeting passes, another fails as greeting naming the pattern; an invalid pattern is refused by the policy")
    func greetingPattern() async throws {
        let dovecot = try DovecotServer.start()
        defer { dovecot.stop() }
        let f = try await WorkerFixture.make()
        func monitor(_ pattern: String) async throws -> Monitor {
            try await f.runtime.monitors.create(.table(LuaTable(fields: [
                "customerId": .integer(f.customer.id), "name": .string("Greeting \(pattern)"), "hostname": "127.0.0.1",
                "port": .integer(Int64(dovecot.ports.imap)),
                "imapPopConfig": ["protocol": "imap", "user": "alice", "password": "secret", "greetingPattern": .string(pattern)],
            ])), actor: f.admin)
        }
        let executor = f.runtime.executor(settings: f.settings, clock: f.clock)
        let matching = try await executor.runNow(try await monitor("^Dovecot .*ready"), failureThreshold: 1)
        #expect(matching?.check.result.ok == true, "\(matching?.check.result.message ?? "")")
        let other = try await executor.runNow(try await monitor("^Microsoft Exchange"), failureThreshold: 1)
        #expect(other?.check.result.ok == false && other?.check.result.category == "greeting")
        #expect(other?.check.result.message?.hasPrefix("the greeting does not match /^Microsoft Exchange/: Dovecot") == true, "\(other?.check.result.message ?? "")")
        await #expect(throws: (any Error).self) { _ = try await monitor("(unclosed") }
    }
}
