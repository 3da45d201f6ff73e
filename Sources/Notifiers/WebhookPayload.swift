import Foundation
import Domain

/// The JSON a webhook receives, built without I/O: a generic shape, or
/// Slack's incoming-webhook shape (`{"text": …}`).
enum WebhookPayload {
    static func body(for delivery: PendingDelivery, slack: Bool, at date: Date) -> [UInt8] {
        let object: [String: Any]
        if slack {
            object = ["text": "*\(delivery.subject)*\n\(delivery.body)"]
        } else {
            object = [
                "event": "mailmon.alert", "subject": delivery.subject, "text": delivery.body, "incidentId": delivery.incidentId,
                "channel": delivery.channelName, "attempt": delivery.attempts + 1, "sentAt": Timestamp.format(date),
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }
}
