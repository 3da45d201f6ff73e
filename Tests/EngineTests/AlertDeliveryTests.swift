import Notifiers
import App
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Domain
import Testing

/// Delivery channels and the outbox's retry rule, against a local HTTP receiver,
/// and the retention of results.
@Suite("Alert delivery: SMS gateway, Slack payload, retries; result retention")
struct AlertDeliveryTests {
    /// A monitor of a closed port with an e-mail and a phone number, checked once: an incident and its alerts are owed.
    /// Returns the closed port: keep it for as long as the monitor may be checked.
    static func downMonitor(_ f: WorkerFixture, channels: [(AlertChannelType, String)]) async throws -> RefusedPort {
        let refused = try RefusedPort()
        for (type, url) in channels {
            _ = try await f.runtime.database.addAlertChannel(
                organizationId: f.admin.organizationId, customerId: nil, type: type, name: type.rawValue, url: url, at: Date())
        }
        let body: LuaValue = [
            "customerId": .integer(f.customer.id), "name": "Box", "hostname": "127.0.0.1", "port": .integer(Int64(refused.port)),
            "checkInterval": 1, "timeoutSeconds": 5, "notificationPhoneNumber": "+4915112345678",
            "imapPopConfig": ["protocol": "imap", "user": "alice", "password": "secret"],
        ]
        _ = try await f.runtime.monitors.create(body, actor: f.admin)
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        _ = try await f.scheduler.runDue()
        return refused
    }

    @Test("SMS goes to the gateway as JSON with its headers; Slack gets {text}")
    func smsAndSlack() async throws {
        let receiver = try await HTTPReceiver.start()
        let f = try await WorkerFixture.make()
        let refused = try await Self.downMonitor(f, channels: [(.slack, receiver.url + "/slack")])
        defer { refused.close() }
        let gateway = SmsGateway(url: receiver.url + "/sms", headers: ["X-Api-Key": "k1"], from: "mailmon")
        #expect(try await f.dispatcher(try AlertSenders.configured(smtp: nil, sms: gateway)).deliverDue() == 2)
        let requests = try await receiver.waitForRequests(count: 2, timeout: .seconds(20))
        let sms = try #require(requests.first { $0.path == "/sms" })
        #expect(sms.headers["x-api-key"] == "k1")
        let smsBody = try JSONSerialization.jsonObject(with: Data(sms.body.utf8)) as? [String: String]
        #expect(smsBody?["to"] == "+4915112345678" && smsBody?["from"] == "mailmon")
        #expect(smsBody?["text"]?.contains("DOWN: Box") == true)
        let slack = try #require(requests.first { $0.path == "/slack" })
        let slackBody = try JSONSerialization.jsonObject(with: Data(slack.body.utf8)) as? [String: String]
        #expect(slackBody?.keys.sorted() == ["text"])
        #expect(slackBody?["text"]?.hasPrefix("*[mailmon] DOWN: Box") == true)
        try await receiver.stop()
    }

    @Test("a failing webhook is recorded, retried after the delay, and given up after the last attempt")
    func retriesThenGivesUp() async throws {
        let receiver = try await HTTPReceiver.start(status: 500)
        let f = try await WorkerFixture.make(
            settings: WorkerSettings(workerId: "test", firstRunSpreadSeconds: 5, alertAttempts: 2, alertRetrySeconds: 30))
        let refused = try await Self.downMonitor(f, channels: [(.webhook, receiver.url + "/hook")])
        defer { refused.close() }
        let dispatcher = f.dispatcher(try AlertSenders.configured(smtp: nil, sms: nil))
        #expect(try await dispatcher.deliverDue() == 2, "the webhook and the SMS (no gateway configured: failed)")
        #expect(try await dispatcher.deliverDue() == 0, "not before the retry delay")
        f.clock.advance(31)
        #expect(try await dispatcher.deliverDue() >= 1)
        f.clock.advance(3600)
        #expect(try await dispatcher.deliverDue() == 0, "given up after alertAttempts")
        let database = f.runtime.database
        let monitorId = try #require(try await database.monitors(.init(organizationId: nil, customerId: nil, search: nil, page: 1, perPage: 1)).items.first?.0.id)
        let webhook = try await database.alerts(monitorId: monitorId, limit: 100).items.filter { $0.type == "webhook" }
        #expect(webhook.count == 2 && webhook.allSatisfy { $0.status == "failed" })
        #expect(webhook.first?.errorMessage?.contains("HTTP 500") == true)
        #expect(receiver.requests().count == 2)
        try await receiver.stop()
    }

    @Test("results older than the retention are pruned, newer ones kept")
    func retention() async throws {
        let f = try await WorkerFixture.make(settings: WorkerSettings(workerId: "test", firstRunSpreadSeconds: 5, retentionDays: 1))
        let refused = try await Self.downMonitor(f, channels: [])
        defer { refused.close() }
        f.clock.advance(12 * 3600)
        _ = try await f.scheduler.runDue()
        let monitorId = try #require(try await f.runtime.database.monitors(.init(organizationId: nil, customerId: nil, search: nil, page: 1, perPage: 1)).items.first?.0.id)
        #expect(try await f.runtime.database.recentResults(monitorId: monitorId, limit: 10).count == 2)
        f.clock.advance(13 * 3600)
        try await f.scheduler.prune()
        #expect(try await f.runtime.database.recentResults(monitorId: monitorId, limit: 10).count == 1)
    }
}
