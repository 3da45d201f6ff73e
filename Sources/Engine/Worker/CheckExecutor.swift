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
    let metrics: MailmonMetrics
    let sealed: SealedSecrets
    /// Access tokens of OAuth2 monitors (nil: such a check fails as `oauth_token`).
    let tokens: OAuthTokenSource?

    /// `sealed`: the same as `mailmon.check`'s (`LuaHostFunctions.checks`), so a hook can re-run the check.
    public init(
        runner: CheckRunner, hook: PostCheckHook, history: any CheckHistoryRepository, alerts: any AlertRepository,
        settings: WorkerSettings, clock: any WorkerClock, logger: Logger, metrics: MailmonMetrics = .none,
        sealed: SealedSecrets = SealedSecrets(), tokens: OAuthTokenSource? = nil
    ) {
        self.tokens = tokens
        self.metrics = metrics
        self.sealed = sealed
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
    /// A check that passed fails as `greeting` when the server's greeting does not match the
    /// monitor's `greetingPattern` (a server answering on the name, but not the one expected).
    static func checkingGreeting(_ result: ProbeResult, pattern: String?) -> ProbeResult {
        guard result.ok, let pattern, let expression = try? NSRegularExpression(pattern: pattern) else { return result }
        let greeting = result.greeting ?? ""
        guard expression.firstMatch(in: greeting, range: NSRange(greeting.startIndex..., in: greeting)) == nil else { return result }
        var failed = result
        failed.ok = false
        failed.category = .greeting
        failed.message = "the greeting does not match /\(pattern)/: \(greeting)"
        return failed
    }

    /// The probe, with an access token first for an OAuth2 login: a cached token the server
    /// refuses is replaced by a fresh one and the check tried once more.
    private func probe(_ plan: CheckPlan, monitorId: Int64, at date: Date) async throws -> ProbeResult {
        guard let oauth = plan.oauth else { return try await runner.run(plan.request) }
        var request = plan.request
        func failed(_ message: String) -> ProbeResult {
            .notStarted(
                .oauthToken, message: message, mailProtocol: request.mailProtocol, host: request.host, port: request.port ?? 0,
                security: request.security, at: date)
        }
        guard let tokens else { return failed("this process has no OAuth2 token source") }
        let timeout = Duration.milliseconds(Int64((request.timeoutSeconds * 1000).rounded()))
        do {
            let (token, cached) = try await tokens.token(monitorId: monitorId, settings: oauth, timeout: timeout)
            request.accessToken = token
            let result = try await runner.run(request)
            guard cached, result.category == .oauthRejected else { return result }
            await tokens.invalidate(oauth)
            request.accessToken = try await tokens.token(monitorId: monitorId, settings: oauth, timeout: timeout).token
            return try await runner.run(request)
        } catch let failure as OAuthTokenSource.Failure {
            return failed(failure.description)
        }
    }

    public func runNow(_ monitor: Monitor, failureThreshold: Int) async throws -> RecordedCheck? {
        try await run(monitor, dueAt: nil, failureThreshold: failureThreshold, scheduled: false)
    }

    private func run(_ monitor: Monitor, dueAt: Date?, failureThreshold: Int, scheduled: Bool) async throws -> RecordedCheck? {
        let startedAt = clock.now()
        var plan: CheckPlan
        var result: ProbeResult
        do {
            plan = try CheckPlan(monitor: monitor)
            result = Self.checkingGreeting(try await probe(plan, monitorId: monitor.id, at: startedAt), pattern: plan.greetingPattern)
        } catch {
            // A config the check cannot use, or a failing default_port rule: store it as a failed check.
            plan = CheckPlan.unrunnable(monitor)
            result = ProbeResult.configurationFailure(plan.request, message: String(describing: error), at: startedAt)
        }
        let handle = plan.request.password.map(sealed.seal)
        defer { if let handle { sealed.release(handle) } }
        var input = HookInput(
            monitor: monitor, plan: plan, result: result, checkedAt: startedAt,
            history: try await history.recentResults(monitorId: monitor.id, limit: max(settings.historyLength, failureThreshold)),
            openIncidents: try await history.openIncidents(monitorId: monitor.id),
            channels: try await alerts.alertChannels(organizationId: monitor.organizationId, customerId: monitor.customerId),
            failureThreshold: failureThreshold, certificateWarningDays: settings.certificateWarningDays)
        input.sealedPassword = handle
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
                    metadata: ["monitor": "\(monitor.publicId.lowercasedString)", "error": "\(hookError ?? "")"])
            } else {
                logger.error(
                    "post-check hook failed; the default rule (lib/alerting) decided",
                    metadata: ["monitor": "\(monitor.publicId.lowercasedString)", "error": "\(error)"])
            }
        }
        if monitor.fields.status == .maintenance { decision.alerts = [] }
        let outcome = CheckOutcome(
            result: NewCheckResult(probe: result, checkedAt: startedAt, dueAt: dueAt, hookVersion: hook.version, hookError: hookError),
            nextCheckAt: scheduled ? Self.nextDue(after: dueAt ?? startedAt, interval: monitor.fields.checkInterval, now: clock.now()) : nil,
            open: decision.open, resolve: decision.resolve, deliveries: decision.deliveries(openIncidents: input.openIncidents))
        metrics.checkFinished(result, dueAt: dueAt, startedAt: startedAt)
        let recorded: RecordedCheck?
        do {
            recorded = try await history.recordCheck(monitorId: monitor.id, outcome: outcome)
        } catch {
            metrics.databaseError("record_check")
            throw error
        }
        if let recorded { report(recorded, monitor: monitor, result: result) }
        return recorded
    }

    /// One line per check at debug; one per incident opened or resolved at info.
    private func report(_ recorded: RecordedCheck, monitor: Monitor, result: ProbeResult) {
        metrics.incidents(opened: recorded.opened, resolved: recorded.resolved)
        let base: Logger.Metadata = [
            "monitor": "\(monitor.publicId.lowercasedString)", "customerId": "\(monitor.customerId)",
            "protocol": "\(result.mailProtocol.rawValue)",
        ]
        if logger.logLevel <= .debug {
            var metadata = base
            metadata["result"] = "\(result.ok ? "ok" : "failed")"
            metadata["category"] = "\(result.category?.rawValue ?? "none")"
            metadata["ms"] = "\(Int(result.timings.total.rounded()))"
            logger.debug("check", metadata: metadata)
        }
        for incident in recorded.opened {
            var metadata = base
            metadata["category"] = "\(incident.type)"
            metadata["incident"] = "\(incident.id)"
            logger.info("incident opened", metadata: metadata)
        }
        for incident in recorded.resolved {
            var metadata = base
            metadata["category"] = "\(incident.type)"
            metadata["incident"] = "\(incident.id)"
            logger.info("incident resolved", metadata: metadata)
        }
    }

    /// The first slot `due + k·interval` after `now`: the schedule keeps its phase and skips missed slots.
    /// A stored interval outside 1 minute to a year is clamped, never trusted into an overflow.
    static func nextDue(after due: Date, interval minutes: Int, now: Date) -> Date {
        let interval = Double(min(max(1, minutes), 366 * 24 * 60)) * 60
        let missed = max(0, (now.timeIntervalSince(due) / interval).rounded(.down))
        return due.addingTimeInterval((missed + 1) * interval)
    }
}
