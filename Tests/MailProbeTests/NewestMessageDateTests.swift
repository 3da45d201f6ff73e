import Foundation
import MailProbe
import Testing

@Suite("The newest message's date: IMAP FETCH INTERNALDATE, POP3 TOP and its Date header")
struct NewestMessageDateTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("IMAP: FETCH <last> (INTERNALDATE) after EXAMINE, only when asked; a refused FETCH leaves the date unknown")
    func imap() {
        let configuration = SessionConfiguration(security: .plain, user: "alice", password: "secret", readsNewestMessageDate: true)
        let t = drive(ImapSessionMachine(configuration: configuration), [
            ImapSessionMachineTests.greeting, "A1 OK Logged in", "* 3 EXISTS", "A2 OK [READ-ONLY] Examine completed.",
            "* 3 FETCH (INTERNALDATE \" 8-Dec-2026 01:02:03 +0100\")", "A3 OK Fetch completed.", "* BYE Logging out", "A4 OK Logout completed.",
        ])
        #expect(t.sent.contains("A3 FETCH 3 (INTERNALDATE)\r\n"))
        guard case .succeed(let outcome) = t.result else { Issue.record("\(String(describing: t.result))"); return }
        #expect(outcome.newestMessageAt == Self.utc("2026-12-08T00:02:03Z"))

        let refused = drive(ImapSessionMachine(configuration: configuration), [
            ImapSessionMachineTests.greeting, "A1 OK Logged in", "* 3 EXISTS", "A2 OK Examine completed.", "A3 NO not now",
            "A4 OK Logout completed.",
        ])
        guard case .succeed(let quiet) = refused.result else { Issue.record("\(String(describing: refused.result))"); return }
        #expect(quiet.newestMessageAt == nil && quiet.messageCount == 3)

        let unasked = drive(ImapSessionMachine(configuration: SessionConfiguration(security: .plain, user: "alice", password: "secret")), [
            ImapSessionMachineTests.greeting, "A1 OK Logged in", "* 3 EXISTS", "A2 OK Examine completed.", "A3 OK Logout completed.",
        ])
        #expect(!unasked.sent.contains { $0.contains("FETCH") })
    }

    @Test("POP3: TOP <last> 0 after STAT, its Date header unfolded; a server without TOP leaves the date unknown")
    func pop3() {
        let configuration = SessionConfiguration(security: .plain, user: "alice", password: "secret", readsNewestMessageDate: true)
        let t = drive(Pop3SessionMachine(configuration: configuration), ["+OK ready."] + Pop3SessionMachineTests.capa + [
            "+OK", "+OK Logged in.", "+OK 3 429", "+OK", "From: a@example.com", "Date: Mon,", "\t1 Jan 2024 00:00:03 +0000 (UTC)",
            "Subject: test", "", ".", "+OK Logging out.",
        ])
        #expect(t.sent.contains("TOP 3 0\r\n"))
        guard case .succeed(let outcome) = t.result else { Issue.record("\(String(describing: t.result))"); return }
        #expect(outcome.newestMessageAt == Self.utc("2024-01-01T00:00:03Z"))

        let noTop = drive(Pop3SessionMachine(configuration: configuration), ["+OK ready."] + Pop3SessionMachineTests.capa + [
            "+OK", "+OK Logged in.", "+OK 3 429", "-ERR unknown command", "+OK Logging out.",
        ])
        guard case .succeed(let quiet) = noTop.result else { Issue.record("\(String(describing: noTop.result))"); return }
        #expect(quiet.newestMessageAt == nil && quiet.messageCount == 3)
    }

    @Test("dates as servers write them: INTERNALDATE, RFC 5322 with day names, obsolete zones, comments; garbage is nil")
    func parsing() {
        #expect(InternetDate.imap("08-Dec-2026 01:02:03 +0000") == Self.utc("2026-12-08T01:02:03Z"))
        #expect(InternetDate.imap("17-Jul-1996 02:44:25 -0700") == Self.utc("1996-07-17T09:44:25Z"))
        #expect(InternetDate.header("Tue, 8 Dec 2026 01:02:03 +0000") == Self.utc("2026-12-08T01:02:03Z"))
        #expect(InternetDate.header("8 Dec 2026 01:02 GMT") == Self.utc("2026-12-08T01:02:00Z"))
        #expect(InternetDate.header("Tue, 8 Dec 2026 01:02:03 EST (Eastern)") == Self.utc("2026-12-08T06:02:03Z"))
        #expect(InternetDate.header("yesterday") == nil)
        #expect(InternetDate.imap("32-Dec-2026 01:02:03 +0000") == nil)
    }
}
