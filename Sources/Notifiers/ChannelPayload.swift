public import Foundation
public import Domain

/// The HTTP request each chat and push channel takes for an alert, built without I/O from the
/// delivery: the URL to post to, the headers and the body, in the shape the service documents.
public struct ChannelRequest: Sendable, Hashable {
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]
}

public enum ChannelPayload {
    public struct Unusable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Whether the alert reports a recovery (the shipped rule's subjects start `[mailmon] RESOLVED:`).
    static func isRecovery(_ delivery: PendingDelivery) -> Bool { delivery.subject.contains("RESOLVED") }

    public static func request(_ type: AlertChannelType, for delivery: PendingDelivery, at date: Date) throws -> ChannelRequest {
        let json = ["Content-Type": "application/json"]
        switch type {
        case .webhook:
            return ChannelRequest(url: delivery.recipient, headers: json, body: encode([
                "event": "mailmon.alert", "subject": delivery.subject, "text": delivery.body, "incidentId": delivery.incidentId,
                "channel": delivery.channelName, "attempt": delivery.attempts + 1, "sentAt": Timestamp.format(date),
            ]))
        case .slack:
            // Slack's incoming webhooks: mrkdwn text.
            return ChannelRequest(url: delivery.recipient, headers: json, body: encode(["text": "*\(delivery.subject)*\n\(delivery.body)"]))
        case .teams:
            // A Teams Workflows ("Post to a channel when a webhook request is received") webhook: an Adaptive Card.
            let card: [String: Any] = [
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
                "body": [
                    ["type": "TextBlock", "text": delivery.subject, "weight": "Bolder", "size": "Medium", "wrap": true,
                     "color": isRecovery(delivery) ? "Good" : "Attention"],
                    ["type": "TextBlock", "text": delivery.body, "wrap": true],
                ],
            ]
            return ChannelRequest(url: delivery.recipient, headers: json, body: encode([
                "type": "message",
                "attachments": [["contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": NSNull(), "content": card]],
            ]))
        case .discord:
            // Discord's execute-webhook: `content` of at most 2,000 characters, mentions disabled.
            let text = "**\(delivery.subject)**\n\(delivery.body)"
            return ChannelRequest(url: delivery.recipient, headers: json, body: encode([
                "username": "mailmon", "content": String(text.prefix(2000)), "allowed_mentions": ["parse": [String]()],
            ]))
        case .telegram:
            // Bot API sendMessage: the channel URL is https://api.telegram.org/bot<token>/sendMessage?chat_id=<chat>.
            guard var components = URLComponents(string: delivery.recipient),
                let chat = components.queryItems?.first(where: { $0.name == "chat_id" })?.value, !chat.isEmpty
            else { throw Unusable(description: "a telegram channel's URL needs ?chat_id=") }
            components.queryItems = nil
            let text = "\(delivery.subject)\n\n\(delivery.body)"
            return ChannelRequest(url: components.string ?? delivery.recipient, headers: json, body: encode([
                "chat_id": chat, "text": String(text.prefix(4096)), "disable_web_page_preview": true,
            ]))
        case .ntfy:
            // ntfy: the message as the body of a POST to the topic URL; title, priority and tags as headers.
            let recovery = isRecovery(delivery)
            return ChannelRequest(
                url: delivery.recipient,
                headers: [
                    "Content-Type": "text/plain; charset=utf-8", "Title": headerSafe(delivery.subject), "Priority": recovery ? "3" : "4",
                    "Tags": recovery ? "white_check_mark" : "rotating_light",
                ],
                body: Array(delivery.body.utf8))
        case .email, .sms:
            throw Unusable(description: "\(type.rawValue) is not an HTTP channel")
        }
    }

    static func encode(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8))
    }

    /// Header values are one line of printable ASCII (ntfy also takes RFC 2047; plain is enough here).
    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F ? Character($0) : "?" }.prefix(250))
    }
}
