import Domain
import Foundation
import Notifiers
import Testing

/// Each channel's request in the shape its service documents, built without I/O.
@Suite("Channel payloads")
struct ChannelPayloadTests {
    static func delivery(
        subject: String = "[mailmon] DOWN: Inbox (mail.example.com): auth_failed", recipient: String, event: AlertEvent = .trigger
    ) -> PendingDelivery {
        PendingDelivery(
            id: 1, incidentId: 7, type: "x", channelName: "ops", recipient: recipient, subject: subject,
            body: "Inbox failed 2 check(s) in a row: auth_failed.", attempts: 0, nextAttemptAt: Date(), event: event)
    }

    static func json(_ request: ChannelRequest) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
    }

    @Test("Teams: a message with one Adaptive Card, the subject bold and coloured by the event")
    func teams() throws {
        let request = try ChannelPayload.request(.teams, for: Self.delivery(recipient: "https://example.webhook.office.com/x"), at: Date())
        let body = try Self.json(request)
        #expect(body["type"] as? String == "message")
        let attachment = try #require((body["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["contentType"] as? String == "application/vnd.microsoft.card.adaptive")
        let card = try #require(attachment["content"] as? [String: Any])
        #expect(card["type"] as? String == "AdaptiveCard" && card["version"] as? String == "1.4")
        let blocks = try #require(card["body"] as? [[String: Any]])
        #expect(blocks[0]["text"] as? String == "[mailmon] DOWN: Inbox (mail.example.com): auth_failed" && blocks[0]["color"] as? String == "Attention")
        #expect(blocks[1]["text"] as? String == "Inbox failed 2 check(s) in a row: auth_failed.")
        let resolved = try Self.json(try ChannelPayload.request(.teams, for: Self.delivery(subject: "[mailmon] RESOLVED: Inbox", recipient: "https://t", event: .resolve), at: Date()))
        let color = (((resolved["attachments"] as? [[String: Any]])?.first?["content"] as? [String: Any])?["body"] as? [[String: Any]])?.first?["color"]
        #expect(color as? String == "Good")
    }

    @Test("Discord: content of at most 2,000 characters, no mentions parsed")
    func discord() throws {
        var long = Self.delivery(recipient: "https://discord.com/api/webhooks/1/abc")
        long.body = String(repeating: "x", count: 5000)
        let body = try Self.json(try ChannelPayload.request(.discord, for: long, at: Date()))
        #expect((body["content"] as? String)?.count == 2000 && (body["content"] as? String)?.hasPrefix("**[mailmon] DOWN") == true)
        #expect((body["allowed_mentions"] as? [String: Any])?["parse"] as? [String] == [])
        #expect(body["username"] as? String == "mailmon")
    }

    @Test("Telegram: the chat from the URL's chat_id goes into the body, the URL without its query; no chat_id is unusable")
    func telegram() throws {
        let request = try ChannelPayload.request(
            .telegram, for: Self.delivery(recipient: "https://api.telegram.org/bot123:AbC/sendMessage?chat_id=-10042"), at: Date())
        #expect(request.url == "https://api.telegram.org/bot123:AbC/sendMessage")
        let body = try Self.json(request)
        #expect(body["chat_id"] as? String == "-10042" && (body["text"] as? String)?.hasPrefix("[mailmon] DOWN") == true)
        #expect(throws: ChannelPayload.Unusable.self) {
            try ChannelPayload.request(.telegram, for: Self.delivery(recipient: "https://api.telegram.org/bot1/sendMessage"), at: Date())
        }
    }

    @Test("ntfy: the text as the body, title, priority and tags as headers; a recovery is priority 3 with a check mark")
    func ntfy() throws {
        let request = try ChannelPayload.request(.ntfy, for: Self.delivery(recipient: "https://ntfy.sh/mailmon-ops"), at: Date())
        #expect(request.url == "https://ntfy.sh/mailmon-ops")
        #expect(String(decoding: request.body, as: UTF8.self) == "Inbox failed 2 check(s) in a row: auth_failed.")
        #expect(request.headers["Title"] == "[mailmon] DOWN: Inbox (mail.example.com): auth_failed")
        #expect(request.headers["Priority"] == "4" && request.headers["Tags"] == "rotating_light")
        let resolved = try ChannelPayload.request(.ntfy, for: Self.delivery(subject: "[mailmon] RESOLVED: Inbö\nx", recipient: "https://n/t", event: .resolve), at: Date())
        #expect(resolved.headers["Priority"] == "3" && resolved.headers["Tags"] == "white_check_mark")
        #expect(resolved.headers["Title"] == "[mailmon] RESOLVED: Inb??x", "one line of ASCII")
    }

    @Test("Slack's text and mailmon's own webhook JSON are as before")
    func slackAndWebhook() throws {
        let slack = try Self.json(try ChannelPayload.request(.slack, for: Self.delivery(recipient: "https://hooks.slack.com/x"), at: Date()))
        #expect(slack["text"] as? String == "*[mailmon] DOWN: Inbox (mail.example.com): auth_failed*\nInbox failed 2 check(s) in a row: auth_failed.")
        let hook = try Self.json(try ChannelPayload.request(.webhook, for: Self.delivery(recipient: "https://example.com/h"), at: Date()))
        #expect(hook["event"] as? String == "mailmon.alert" && hook["incidentId"] as? Int == 7 && hook["attempt"] as? Int == 1)
    }

    @Test("PagerDuty Events v2: trigger with summary, source and severity, resolve with the same dedup_key; the routing key from the URL")
    func pagerDuty() throws {
        let url = "https://events.pagerduty.com/v2/enqueue?routing_key=R0UT1NG"
        let trigger = try ChannelPayload.request(.pagerduty, for: Self.delivery(recipient: url), at: Date())
        #expect(trigger.url == "https://events.pagerduty.com/v2/enqueue")
        let body = try Self.json(trigger)
        #expect(body["routing_key"] as? String == "R0UT1NG" && body["event_action"] as? String == "trigger")
        #expect(body["dedup_key"] as? String == "mailmon-incident-7")
        let payload = try #require(body["payload"] as? [String: Any])
        #expect(payload["summary"] as? String == "[mailmon] DOWN: Inbox (mail.example.com): auth_failed")
        #expect(payload["source"] as? String == "mailmon" && payload["severity"] as? String == "critical")
        let resolve = try Self.json(try ChannelPayload.request(.pagerduty, for: Self.delivery(recipient: url, event: .resolve), at: Date()))
        #expect(resolve["event_action"] as? String == "resolve" && resolve["dedup_key"] as? String == "mailmon-incident-7" && resolve["payload"] == nil)
        #expect(throws: ChannelPayload.Unusable.self) {
            try ChannelPayload.request(.pagerduty, for: Self.delivery(recipient: "https://events.pagerduty.com/v2/enqueue"), at: Date())
        }
    }

    @Test("Opsgenie: create with message, alias and priority, the key as a GenieKey header; close by alias on resolve")
    func opsgenie() throws {
        let url = "https://api.eu.opsgenie.com/v2/alerts?apiKey=K3Y"
        let create = try ChannelPayload.request(.opsgenie, for: Self.delivery(recipient: url), at: Date())
        #expect(create.url == "https://api.eu.opsgenie.com/v2/alerts" && create.headers["Authorization"] == "GenieKey K3Y")
        let body = try Self.json(create)
        #expect(body["alias"] as? String == "mailmon-incident-7" && body["priority"] as? String == "P2")
        #expect((body["message"] as? String)?.count ?? 0 <= 130 && body["source"] as? String == "mailmon")
        let close = try ChannelPayload.request(.opsgenie, for: Self.delivery(recipient: url, event: .resolve), at: Date())
        #expect(close.url == "https://api.eu.opsgenie.com/v2/alerts/mailmon-incident-7/close?identifierType=alias")
        let closeBody = try Self.json(close)
        #expect(close.headers["Authorization"] == "GenieKey K3Y" && closeBody["source"] as? String == "mailmon")
    }
}
