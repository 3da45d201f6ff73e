public import Domain

/// What the post-check hook (or the default rule when it fails) decided for one check.
public struct HookDecision: Sendable, Hashable {
    public struct Alert: Sendable, Hashable {
        public var channel: AlertChannelType
        /// E-mail address, phone number, or the webhook's URL.
        public var to: String
        /// Shown in the alert history (default: the channel type, or the webhook's name).
        public var name: String
        public var subject: String
        public var text: String
        /// nil: the incident this decision opened or resolved, or the one open incident.
        public var incident: CheckOutcome.IncidentReference?
        public var event: AlertEvent

        public init(
            channel: AlertChannelType, to: String, name: String? = nil, subject: String, text: String,
            incident: CheckOutcome.IncidentReference? = nil, event: AlertEvent = .trigger
        ) {
            self.event = event
            self.channel = channel
            self.to = to
            self.name = name ?? channel.rawValue
            self.subject = subject
            self.text = text
            self.incident = incident
        }
    }

    public var open: [CheckOutcome.Opening]
    public var resolve: [Int64]
    public var alerts: [Alert]

    public init(open: [CheckOutcome.Opening] = [], resolve: [Int64] = [], alerts: [Alert] = []) {
        self.open = open
        self.resolve = resolve
        self.alerts = alerts
    }

    /// The outbox rows: each alert tied to its incident (alerts with none are dropped).
    func deliveries(openIncidents: [Incident]) -> [CheckOutcome.Delivery] {
        alerts.compactMap { alert in
            let reference: CheckOutcome.IncidentReference
            if let explicit = alert.incident {
                reference = explicit
            } else if let opened = open.first {
                reference = .opened(type: opened.type)
            } else if let resolved = resolve.first {
                reference = .existing(resolved)
            } else if let current = openIncidents.first {
                reference = .existing(current.id)
            } else {
                return nil
            }
            return CheckOutcome.Delivery(
                incident: reference, type: alert.channel.rawValue, channelName: alert.name, recipient: alert.to, subject: alert.subject,
                body: alert.text, event: alert.event)
        }
    }
}
