import Foundation
public import Logging
public import ServiceLifecycle
public import Domain
public import Notifiers

/// Delivers the outbox: each attempt becomes an alert-history row; a failed one is
/// retried with doubling delays up to `alertAttempts`, then given up. The outbox is
/// in the database, so a restart resends nothing already recorded as sent and
/// loses nothing still owed.
public struct AlertDispatcher: Service {
    let alerts: any AlertRepository
    let senders: AlertSenders
    let settings: WorkerSettings
    let clock: any WorkerClock
    let wake: WakeSignal
    let logger: Logger
    let metrics: MailmonMetrics

    public init(
        alerts: any AlertRepository, senders: AlertSenders, settings: WorkerSettings, clock: any WorkerClock, wake: WakeSignal,
        logger: Logger, metrics: MailmonMetrics = .none
    ) {
        self.metrics = metrics
        self.alerts = alerts
        self.senders = senders
        self.settings = settings
        self.clock = clock
        self.wake = wake
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await deliverDue()
            } catch {
                metrics.databaseError("claim_deliveries")
                logger.error("alerts: \(error)")
            }
            await wake.wait(until: try? await alerts.nextDeliveryAt(), poll: settings.pollSeconds, clock: clock)
        }
    }

    /// Attempts every delivery due now, a few at a time; returns how many were attempted.
    @discardableResult
    public func deliverDue() async throws -> Int {
        let due = try await alerts.claimDueDeliveries(now: clock.now(), limit: Self.batch, lease: Self.lease(senders))
        await withTaskGroup(of: Void.self) { group in
            for (index, delivery) in due.enumerated() {
                if index >= Self.parallel { await group.next() }
                group.addTask { await attempt(delivery) }
            }
        }
        return due.count
    }

    /// Deliveries claimed at once, and sent at once.
    static let batch = 64
    static let parallel = 8

    /// Leased past the time the last of a batch may take to be sent (`batch / parallel` sends in a
    /// row, each up to the longest send's timeout), and never under 5 minutes: another worker never
    /// picks them up meanwhile, so a slow relay cannot make an alert go out twice.
    static func lease(_ senders: AlertSenders) -> TimeInterval {
        max(300, Double(batch / parallel) * senders.longestSendSeconds + 60)
    }

    func attempt(_ delivery: PendingDelivery) async {
        var failure: String?
        if let sender = senders[AlertChannelType(rawValue: delivery.type) ?? .webhook] {
            do {
                try await sender.send(delivery)
            } catch {
                failure = String(describing: error)
            }
        } else {
            failure = "no \(delivery.type) channel is configured (see docs/operations.md)"
        }
        let now = clock.now()
        var retryAt: Date?
        if failure != nil, delivery.attempts + 1 < settings.alertAttempts {
            retryAt = now.addingTimeInterval(settings.alertRetrySeconds * pow(2, Double(delivery.attempts)))
        }
        metrics.alertAttempted(channelType: delivery.type, sent: failure == nil)
        do {
            try await alerts.recordAttempt(delivery, sent: failure == nil, error: failure, at: now, retryAt: retryAt)
        } catch {
            metrics.databaseError("record_alert")
            logger.error("alerts: could not record attempt of delivery \(delivery.id): \(error)")
        }
        var metadata: Logger.Metadata = [
            "incident": "\(delivery.incidentId)", "channelType": "\(delivery.type)", "channel": "\(delivery.channelName)",
            "attempt": "\(delivery.attempts + 1)",
        ]
        if let failure {
            metadata["error"] = "\(failure)"
            metadata["retry"] = "\(retryAt == nil ? "no" : "yes")"
            logger.warning("alert failed", metadata: metadata)
        } else {
            logger.info("alert sent", metadata: metadata)
        }
    }
}
