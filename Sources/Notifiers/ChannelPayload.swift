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

    /// Whether the alert reports a recovery (its event, `resolve`, set by the post-check rule).
    static func isRecovery(_ delivery: PendingDelivery) -> Bool { delivery.event == .resolve }

    /// The key on-call services deduplicate an incident's alerts by: trigger and resolve name the same.
    static func dedupKey(_ delivery: PendingDelivery) -> String { "mailmon-incident-\(delivery.incidentId)" }

    /// The query item a type's URL must carry (its chat or key), with the URL's documented form.
    public static let requiredQueryItem: [AlertChannelType: (name: String, form: String)] = [
        .telegram: ("chat_id", "https://api.telegram.org/bot<token>/sendMessage?chat_id=<chat>"),
        .pagerduty: ("routing_key", "https://events.pagerduty.com/v2/enqueue?routing_key=<integration key>"),
        .opsgenie: ("apiKey", "https://api.opsgenie.com/v2/alerts?apiKey=<key>"),
    ]

    /// Why a channel of `type` cannot use `url` (its required query item is missing), or nil.
    public static func urlProblem(_ type: AlertChannelType, _ url: String) -> String? {
        guard let (name, form) = requiredQueryItem[type], (try? split(url, key: name)) == nil else { return nil }
        return "a \(type.rawValue) url is \(form)"
    }

    /// The URL without its query, and the value of one query item (the channel's key).
    static func split(_ url: String, key: String) throws -> (base: URLComponents, value: String) {
        guard var components = URLComponents(string: url), let value = components.queryItems?.first(where: { $0.name == key })?.value,
            !value.isEmpty
        else { throw Unusable(description: "the channel's URL needs ?\(key)=") }
        components.queryItems = nil
        return (components, value)
    }

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
            let (base, chat) = try split(delivery.recipient, key: "chat_id")
            let text = "\(delivery.subject)\n\n\(delivery.body)"
            return ChannelRequest(url: base.string ?? delivery.recipient, headers: json, body: encode([
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
        case .pagerduty:
            // Events API v2: https://events.pagerduty.com/v2/enqueue?routing_key=<integration key>. A resolve
            // closes the PagerDuty incident the trigger opened (same dedup_key).
            let (base, key) = try split(delivery.recipient, key: "routing_key")
            var event: [String: Any] = [
                "routing_key": key, "event_action": delivery.event.rawValue, "dedup_key": dedupKey(delivery), "client": "mailmon",
            ]
            if delivery.event == .trigger {
                event["payload"] = [
                    "summary": String(delivery.subject.prefix(1024)), "source": "mailmon",
                    "severity": delivery.subject.contains("CERTIFICATE") ? "warning" : "critical",
                    "custom_details": ["text": delivery.body, "channel": delivery.channelName],
                ] as [String: Any]
            }
            return ChannelRequest(url: base.string ?? delivery.recipient, headers: json, body: encode(event))
        case .opsgenie:
            // Alert API: https://api.opsgenie.com/v2/alerts?apiKey=<key> (api.eu.opsgenie.com in the EU); the key
            // goes in the GenieKey header. A resolve closes the alert by its alias.
            var (base, key) = try split(delivery.recipient, key: "apiKey")
            let headers = ["Content-Type": "application/json", "Authorization": "GenieKey \(key)"]
            if delivery.event == .resolve {
                base.path += "/\(dedupKey(delivery))/close"
                base.queryItems = [URLQueryItem(name: "identifierType", value: "alias")]
                return ChannelRequest(
                    url: base.string ?? delivery.recipient, headers: headers,
                    body: encode(["source": "mailmon", "note": String(delivery.body.prefix(25_000))]))
            }
            return ChannelRequest(url: base.string ?? delivery.recipient, headers: headers, body: encode([
                "message": String(delivery.subject.prefix(130)), "alias": dedupKey(delivery), "description": String(delivery.body.prefix(15_000)),
                "source": "mailmon", "priority": delivery.subject.contains("CERTIFICATE") ? "P3" : "P2",
            ]))
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
