import Foundation
public import Logging
public import ServiceLifecycle
public import Domain
import Synchronization

/// The worker's loop: gives new monitors a first due time, claims due checks up
/// to the concurrency bound (the rest wait in the database), runs each in its
/// own task so a slow target delays no other, and prunes old results.
/// On graceful shutdown it stops claiming and lets checks in flight finish
/// (each is bounded by its timeout and written in one transaction).
public struct CheckScheduler: Service {
    let schedule: any ScheduleRepository
    let history: any CheckHistoryRepository
    let executor: CheckExecutor
    let settings: WorkerSettings
    let clock: any WorkerClock
    let wake: WakeSignal
    let logger: Logger
    var metrics: MailmonMetrics { executor.metrics }

    public init(
        schedule: any ScheduleRepository, history: any CheckHistoryRepository, executor: CheckExecutor, settings: WorkerSettings,
        clock: any WorkerClock, wake: WakeSignal, logger: Logger
    ) {
        self.schedule = schedule
        self.history = history
        self.executor = executor
        self.settings = settings
        self.clock = clock
        self.wake = wake
        self.logger = logger
    }

    public func run() async throws {
        let state = LoopState()
        try await schedule.releaseClaims(worker: settings.workerId)
        var nextPrune = clock.now()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !state.stopping.load(ordering: .relaxed) && !Task.isCancelled {
                    do {
                        if clock.now() >= nextPrune {
                            try await prune()
                            nextPrune = clock.now().addingTimeInterval(3600)
                        }
                        let free = settings.concurrency - state.inFlight.load(ordering: .relaxed)
                        let claimed = try await claimDue(limit: free)
                        if !claimed.isEmpty {
                            metrics.checksInFlight(state.inFlight.add(claimed.count, ordering: .relaxed).newValue)
                        }
                        for check in claimed {
                            group.addTask {
                                await runLogged(check)
                                metrics.checksInFlight(state.inFlight.subtract(1, ordering: .relaxed).newValue)
                                wake.signal()
                            }
                        }
                    } catch {
                        metrics.databaseError("claim")
                        logger.error("scheduler: \(error)")
                    }
                    await wake.wait(until: try? await schedule.nextDueAt(), poll: settings.pollSeconds, clock: clock)
                }
                logger.info("scheduler: stopping, \(state.inFlight.load(ordering: .relaxed)) check(s) in flight finish first")
            }
        } onGracefulShutdown: {
            state.stopping.store(true, ordering: .relaxed)
            wake.signal()
        }
    }

    /// Claims what is due now (scheduling new monitors first); used by the loop and by tests.
    public func claimDue(limit: Int) async throws -> [ClaimedCheck] {
        try await scheduleNew()
        return try await schedule.claimDueChecks(
            worker: settings.workerId, now: clock.now(), limit: limit, grace: settings.claimGraceSeconds)
    }

    /// Gives new, re-activated or re-timed monitors their first due time within the spread.
    @discardableResult
    public func scheduleNew() async throws -> Int {
        try await schedule.scheduleUnscheduled(
            now: clock.now(), spread: settings.firstRunSpreadSeconds, perSecond: settings.firstRunsPerSecond)
    }

    /// Runs every check due now to completion (tests drive the schedule with their clock through this).
    @discardableResult
    public func runDue() async throws -> [RecordedCheck] {
        let claimed = try await claimDue(limit: settings.concurrency)
        return try await withThrowingTaskGroup(of: RecordedCheck?.self) { group in
            for check in claimed { group.addTask { try await executor.run(check) } }
            var recorded: [RecordedCheck] = []
            for try await result in group { if let result { recorded.append(result) } }
            return recorded
        }
    }

    func runLogged(_ claimed: ClaimedCheck) async {
        do {
            _ = try await executor.run(claimed)
        } catch {
            logger.error("check of \(claimed.monitor.publicId.lowercasedString) not recorded: \(error)")
        }
    }

    /// Deletes results older than `retentionDays` (the loop calls it hourly).
    public func prune() async throws {
        let cutoff = clock.now().addingTimeInterval(-Double(settings.retentionDays) * 86_400)
        let pruned = try await history.pruneResults(before: cutoff)
        if pruned > 0 { logger.info("retention: removed \(pruned) result(s) older than \(settings.retentionDays) days") }
    }
}

/// Shared between the loop, its check tasks and the shutdown handler.
private final class LoopState: Sendable {
    let stopping = Atomic<Bool>(false)
    let inFlight = Atomic<Int>(0)
}
