public import Domain

/// Delivers one owed alert on one channel type (e-mail, SMS, webhook, Slack).
public protocol AlertSender: Sendable {
    func send(_ delivery: PendingDelivery) async throws
}

/// The senders by channel type; a type without one fails its deliveries with a clear reason.
public struct AlertSenders: Sendable {
    var senders: [AlertChannelType: any AlertSender] = [:]
    /// The longest one send may take: the relay's timeout, or the HTTP senders' 15 s.
    public private(set) var longestSendSeconds: Double = Self.httpTimeoutSeconds
    static let httpTimeoutSeconds: Double = 15

    public init() {}

    public subscript(type: AlertChannelType) -> (any AlertSender)? {
        get { senders[type] }
        set { senders[type] = newValue }
    }

    /// E-mail through the relay when one is configured, SMS through the gateway when one
    /// is configured, the HTTP channels (webhook, Slack, Teams, Discord, Telegram, ntfy) always.
    public static func configured(smtp: SmtpRelay?, sms: SmsGateway?) throws -> AlertSenders {
        var senders = AlertSenders()
        if let smtp {
            senders[.email] = EmailSender(client: try SmtpClient(relay: smtp))
            senders.longestSendSeconds = max(httpTimeoutSeconds, smtp.timeoutSeconds)
        }
        if let sms { senders[.sms] = SmsSender(gateway: sms) }
        for type in AlertChannelType.httpChannels { senders[type] = HTTPChannelSender(type: type) }
        return senders
    }
}

/// Why a delivery could not even be attempted.
public struct AlertSenderMissing: Error, CustomStringConvertible {
    public var description: String
}

struct EmailSender: AlertSender {
    let client: SmtpClient

    func send(_ delivery: PendingDelivery) async throws {
        try await client.send(SmtpMessage(to: [delivery.recipient], subject: delivery.subject, body: delivery.body))
    }
}
