import API
import App
import Domain
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import MailmonTestSupport
import Testing

/// Every HTTP channel type is created over the API and test-sent to a local receiver, which gets
/// the type's shape at the channel's URL.
@Suite("Alert channels: the chat and push types, and a test send")
struct AlertChannelTestSendTests {
    static let acme = "4e6a8c0b-2d4f-4a1c-9e3b-5d7f9a1c3e5b"

    @Test("webhook, slack, teams, discord, telegram and ntfy each reach the receiver in their shape; a failing receiver is reported; roles")
    func testSend() async throws {
        let receiver = try await HTTPReceiver.start()
        try await APIFixture.withCustomer(Self.acme) { fixture, client in
            let urls: [(String, String)] = [
                ("webhook", "/hook"), ("slack", "/services/T/B/x"), ("teams", "/workflows/abc"), ("discord", "/api/webhooks/1/tok"),
                ("telegram", "/bot123:AbC/sendMessage?chat_id=-42"), ("ntfy", "/mailmon-ops"),
                ("pagerduty", "/v2/enqueue?routing_key=R0UT1NG"), ("opsgenie", "/v2/alerts?apiKey=K3Y"),
            ]
            for (index, (type, path)) in urls.enumerated() {
                let created = try await client.call(
                    .post, "/api/alert-channels", token: fixture.admin,
                    json: #"{"type": "\#(type)", "name": "\#(type) channel", "url": "\#(receiver.url)\#(path)"}"#)
                #expect(created.status == .created, "\(type): \(created.body)")
                let id = try #require(created.body["id"] as? Int)
                #expect(try await client.call(.post, "/api/alert-channels/\(id)/test", token: fixture.readonly).status == .forbidden)
                let sent = try await client.call(.post, "/api/alert-channels/\(id)/test", token: fixture.member)
                #expect(sent.status == .ok && sent.body["sent"] as? Bool == true && sent.body["error"] is NSNull, "\(type): \(sent.body)")
                let received = try await receiver.waitForRequests(count: index + 1, timeout: .seconds(10))[index]
                #expect(received.method == "POST")
                switch type {
                case "telegram":
                    #expect(received.path == "/bot123:AbC/sendMessage" && received.body.contains(#""chat_id":"-42""#), "\(received)")
                case "ntfy":
                    #expect(received.path == "/mailmon-ops" && received.headers["title"] == "[mailmon] TEST: ntfy channel", "\(received)")
                    #expect(received.body.hasPrefix("A test message from mailmon"))
                case "pagerduty":
                    #expect(received.path == "/v2/enqueue" && received.body.contains(#""event_action":"trigger""#) && received.body.contains(#""routing_key":"R0UT1NG""#))
                case "opsgenie":
                    #expect(received.path == "/v2/alerts" && received.headers["authorization"] == "GenieKey K3Y" && received.body.contains(#""alias":"mailmon-incident-0""#))
                case "teams":
                    #expect(received.body.contains("application/vnd.microsoft.card.adaptive") && received.body.contains("[mailmon] TEST: teams channel"))
                case "discord":
                    #expect(received.body.contains(#""content":"**[mailmon] TEST: discord channel**"#), "\(received.body)")
                case "slack":
                    #expect(received.body == #"{"text":"*[mailmon] TEST: slack channel*\nA test message from mailmon for the alert channel slack channel: alerts will arrive here like this."}"#)
                default:
                    #expect(received.body.contains(#""event":"mailmon.alert""#) && received.headers["content-type"] == "application/json")
                }
            }
            receiver.answer(500)
            let failing = try await client.call(.post, "/api/alert-channels/1/test", token: fixture.admin)
            #expect(failing.status == .ok && failing.body["sent"] as? Bool == false, "\(failing.body)")
            #expect((failing.body["error"] as? String)?.contains("HTTP 500") == true, "\(failing.body)")
            #expect(try await client.call(.post, "/api/alert-channels/999/test", token: fixture.admin).status == .notFound)
            let noChat = try await client.call(
                .post, "/api/alert-channels", token: fixture.admin,
                json: #"{"type": "telegram", "name": "t", "url": "https://api.telegram.org/bot1/sendMessage"}"#)
            #expect(noChat.status == .badRequest && (noChat.body["message"] as? String)?.contains("chat_id") == true)
            let unknown = try await client.call(.post, "/api/alert-channels", token: fixture.admin, json: #"{"type": "pigeon", "name": "p", "url": "https://x.example"}"#)
            #expect((unknown.body["message"] as? String) == "type must be one of webhook, slack, teams, discord, telegram, ntfy, pagerduty, opsgenie")
        }
        try await receiver.stop()
    }
}
