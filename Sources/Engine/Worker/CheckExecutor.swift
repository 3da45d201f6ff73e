import Foundation
public import Logging
import LuaHost
import MailProbe
public import Domain

/// Runs one monitor's check end to end: probe, post-check hook (or the default
/// rule when the hook fails), then one transaction with the result, the schedule,
/// the incidents and the alerts owed.
public struct CheckExecutor: Sendable {
    let runner: CheckRunner
    let hook: PostCheckHook
    let history: any CheckHistoryRepository
    let alerts: any AlertRepository
    let settings: WorkerSettings
    let clock: any WorkerClock
    let logger: Logger

    public init(
        runner: CheckRunner, hook: PostCheckHook, history: any CheckHistoryRepository, alerts: any AlertRepository,
        settings: WorkerSettings, clock: any WorkerClock, logger: Logger
    ) {
        self.runner = runner
        self.hook = hook
        self.history = history
        self.alerts = alerts
        self.settings = settings
        self.clock = clock
        self.logger = logger
    }

    /// A scheduled check; the next one is due one interval after `dueAt` (skipping missed slots).
    public func run(_ claimed: ClaimedCheck) async throws -> RecordedCheck? {
        try await run(claimed.monitor, dueAt: claimed.dueAt, failureThreshold: claimed.failureThreshold, scheduled: true)
    }

    /// A check outside the schedule (trigger-check): stored like any other, schedule untouched.
    public func runNow(_ monitor: Monitor, failureThreshold: Int) async throws -> RecordedCheck? {
        try await run(monitor, dueAt: nil, failureThreshold: failureThreshold, scheduled: false)
    }

    private func run(_ monitor: Monitor, dueAt: Date?, failureThreshold: Int, scheduled: Bool) async throws -> RecordedCheck? {
        let startedAt = clock.now()
        var plan: CheckPlan
        var result: ProbeResult
        do {
            plan = try CheckPlan(monitor: monitor)
            result = try await runner.run(plan.request)
        } catch {
            // A config the check cannot use, or a failing default_port rule: store it as a failed check.
            plan = CheckPlan.unrunnable(monitor)
            result = ProbeResult.configurationFailure(plan.request, message: String(describing: error), at: startedAt)
        }
        let input = HookInput(
            monitor: monitor, plan: plan, result: result, checkedAt: startedAt,
            history: try await history.recentResults(monitorId: monitor.id, limit: max(settings.historyLength, failureThreshold)),
            openIncidents: try await history.openIncidents(monitorId: monitor.id),
            channels: try await alerts.alertChannels(organizationId: monitor.organizationId, customerId: monitor.customerId),
            failureThreshold: failureThreshold, certificateWarningDays: settings.certificateWarningDays)
        var decision: HookDecision
        var hookError: String?
        do {
            decision = try await hook.decide(input)
        } catch {
            hookError = String(describing: error)
            let (fallback, fallbackError) = await hook.fallback(input)
            decision = fallback
            if let fallbackError {
                hookError = "\(String(describing: error)); the default rule failed too: \(fallbackError)"
                logger.error(
                    "post-check hook and the default rule failed; nothing opened or alerted",
                    metadata: ["monitor": "\(monitor.publicId)", "error": "\(hookError ?? "")"])
            } else {
                logger.error(
                    "post-check hook failed; the default rule (lib/alerting) decided",
                    metadata: ["monitor": "\(monitor.publicId)", "error": "\(error)"])
            }
        }
        if monitor.fields.status == .maintenance { decision.alerts = [] }
        let outcome = CheckOutcome(
            result: NewCheckResult(probe: result, checkedAt: startedAt, dueAt: dueAt, hookVersion: hook.version, hookError: hookError),
            nextCheckAt: scheduled ? Self.nextDue(after: dueAt ?? startedAt, interval: monitor.fields.checkInterval, now: clock.now()) : nil,
            open: decision.open, resolve: decision.resolve, deliveries: decision.deliveries(openIncidents: input.openIncidents))
        return try await history.recordCheck(monitorId: monitor.id, outcome: outcome)
    }

    /// The first slot `due + k·interval` after `now`: the schedule keeps its phase and skips missed slots.
    /// A stored interval outside 1 minute to a year is clamped, never trusted into an overflow.
    static func nextDue(after due: Date, interval minutes: Int, now: Date) -> Date {
        let interval = Double(min(max(1, minutes), 366 * 24 * 60)) * 60
        let missed = max(0, (now.timeIntervalSince(due) / interval).rounded(.down))
        return due.addingTimeInterval((missed + 1) * interval)
    }
}
