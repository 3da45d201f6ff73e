import SQLiteStore
import Domain
import Notifiers
import App
import Engine
import Foundation
import HummingbirdTesting
import MailmonTestSupport
import Testing

/// History endpoints over real HTTP against a real Dovecot: trigger-check stores a
/// check, incident-history and alert-history show what it led to, details sums it up.
@Suite("Monitor history endpoints: trigger-check, incident-history, alert-history, details")
struct MonitorHistoryAPITests {
    @Test("trigger-check runs and stores a check; incidents, alerts and details reflect it; roles, ids and rate limit")
    func historyOverHTTP() async throws {
        let dovecot = try DovecotServer.start()
        let refused = try RefusedPort()
        defer { refused.close() }
        let closed = refused.port
        let fixture = try await APIFixture.make()
        try await fixture.application.test(.live) { client in
            _ = try await client.call(.post, "/api/customers", token: fixture.admin, json: #"{"name": "Acme"}"#)
            let (_, up) = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: """
                {"customerId": 1, "name": "Up", "hostname": "127.0.0.1", "port": \(dovecot.ports.imap),
                 "imapPopConfig": {"protocol": "imap", "user": "alice", "password": "secret"}}
                """)
            let (_, down) = try await client.call(.post, "/api/imap-pop-monitors", token: fixture.admin, json: """
                {"customerId": 1, "name": "Down", "hostname": "127.0.0.1", "port": \(closed), "notificationEmail": "ops@example.com",
                 "imapPopConfig": {"protocol": "imap", "user": "alice", "password": "secret"}}
                """)
            let upId = try #require(up["publicId"] as? String)
            let downId = try #require(down["publicId"] as? String)

            var (status, body) = try await client.call(.get, "/api/imap-pop-monitors/\(upId)/details", token: fixture.readonly)
            #expect(status == .ok)
            #expect(body["latestCheck"] is NSNull, "no check yet")

            (status, body) = try await client.call(.post, "/api/imap-pop-monitors/\(upId)/trigger-check", token: fixture.member)
            #expect(status == .ok)
            let check = body["check"] as? [String: Any]
            #expect(check?["ok"] as? Bool == true && check?["status"] as? String == "up")
            #expect(check?["messageCount"] as? Int == DovecotServer.messagesPerUser)
            (status, _) = try await client.call(.post, "/api/imap-pop-monitors/\(upId)/trigger-check", token: fixture.member)
            #expect(status.code == 429, "rate-limited per monitor")

            (status, body) = try await client.call(.post, "/api/imap-pop-monitors/\(downId)/trigger-check", token: fixture.admin)
            #expect((body["check"] as? [String: Any])?["category"] as? String == "connect_refused")
            #expect((body["incidentsOpened"] as? [[String: Any]])?.count == 1)

            (status, body) = try await client.call(.get, "/api/imap-pop-monitors/\(downId)/incident-history", token: fixture.readonly)
            #expect(status == .ok && body["total"] as? Int == 1)
            let incident = try #require((body["incidents"] as? [[String: Any]])?.first)
            #expect(incident["type"] as? String == "connect_refused" && incident["status"] as? String == "active")
            #expect(incident["endedAt"] is NSNull && incident["endedAtIso"] is NSNull)
            let started = incident["startedAt"] as? String ?? ""
            #expect(started.range(of: #"^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d\d:\d\d:\d\d$"#, options: .regularExpression) != nil)
            #expect((incident["duration"] as? String)?.hasSuffix("s") == true)

            (status, body) = try await client.call(.get, "/api/imap-pop-monitors/\(downId)/alert-history", token: fixture.readonly)
            #expect(status == .ok && body["total"] as? Int == 0, "owed, not yet attempted: the API process sends nothing")

            (status, body) = try await client.call(.get, "/api/imap-pop-monitors/\(upId)/details?range=week&granularity=raw", token: fixture.admin)
            #expect(status == .ok)
            #expect((body["latestCheck"] as? [String: Any])?["status"] as? String == "up")
            #expect((body["uptimeStats"] as? [String: Any])?["day"] as? Double == 100)
            let data = body["monitoringData"] as? [String: Any]
            #expect(data?["granularity"] as? String == "raw" && (data?["points"] as? [Any])?.count == 1)
            #expect((body["maintenance"] as? [String: Any])?["active"] as? Bool == false)
            #expect(body["imapPopMonitorId"] as? Int == up["id"] as? Int)

            (status, body) = try await client.call(.get, "/api/imap-pop-monitors/\(upId)/details", token: fixture.admin)
            let buckets = (body["monitoringData"] as? [String: Any])?["points"] as? [[String: Any]]
            #expect(buckets?.first?["checks"] as? Int == 1, "aggregated by default")

            (status, _) = try await client.call(.get, "/api/imap-pop-monitors/\(upId)/details?range=decade", token: fixture.admin)
            #expect(status == .badRequest)
            (status, _) = try await client.call(.post, "/api/imap-pop-monitors/\(upId)/trigger-check", token: fixture.readonly)
            #expect(status == .forbidden)
            (status, _) = try await client.call(.post, "/api/imap-pop-monitors/\(upId)/trigger-check", token: fixture.supporter)
            #expect(status == .forbidden)
            (status, _) = try await client.call(.get, "/api/imap-pop-monitors/not-a-uuid/incident-history", token: fixture.admin)
            #expect(status == .badRequest)
            (status, _) = try await client.call(.get, "/api/imap-pop-monitors/\(UUID().uuidString)/alert-history", token: fixture.admin)
            #expect(status == .notFound)
            (status, _) = try await client.call(.get, "/api/imap-pop-monitors/\(upId)/incident-history", token: nil)
            #expect(status == .unauthorized)

            // DELETE takes the history with it: results, incidents, alerts owed.
            let downNumber = Int64(try #require(down["id"] as? Int))
            let database = fixture.runtime.database
            #expect(try await database.recentResults(monitorId: downNumber, limit: 10).count == 1)
            #expect(try await database.incidents(monitorId: downNumber, limit: 10).total == 1)
            (status, _) = try await client.call(.delete, "/api/imap-pop-monitors/\(downId)", token: fixture.member)
            #expect(status == .noContent)
            #expect(try await database.recentResults(monitorId: downNumber, limit: 10).isEmpty)
            #expect(try await database.incidents(monitorId: downNumber, limit: 10).total == 0)
            #expect(try await database.alerts(monitorId: downNumber, limit: 10).total == 0)
            (status, _) = try await client.call(.get, "/api/imap-pop-monitors/\(downId)/incident-history", token: fixture.admin)
            #expect(status == .notFound)
        }
        dovecot.stop()
    }
}

@Suite("History formats")
struct HistoryFormatTests {
    @Test("durations and reference dates")
    func formats() {
        #expect(Engine.HistoryFormat.duration(seconds: 150) == "2m 30s")
        #expect(Engine.HistoryFormat.duration(seconds: 3900) == "1h 5m")
        #expect(Engine.HistoryFormat.duration(seconds: 2 * 86_400 + 3 * 3600 + 59) == "2d 3h")
        #expect(Engine.HistoryFormat.duration(seconds: 42) == "42s")
        #expect(Engine.HistoryFormat.referenceDate(Date(timeIntervalSince1970: 1_772_107_800)) == "Feb 26, 2026, 12:10:00")
    }
}
