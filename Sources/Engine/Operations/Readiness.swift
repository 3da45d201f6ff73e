public import Foundation
public import Domain
public import LuaHost

/// What `/ready` answers: ready when the database can be written and read, a script set is
/// active and (in a process that runs the worker) no check has waited past its due time by
/// more than `maxLateness`. `/health` stays a liveness probe and asks none of this.
public struct Readiness: Sendable {
    public struct Report: Sendable, Hashable {
        public var ready: Bool { reasons.isEmpty }
        /// Why not ready, one sentence each; empty when ready.
        public var reasons: [String]
    }

    let store: any FleetReadingRepository
    let library: ScriptLibrary
    /// Set in processes that run the worker.
    let schedule: (any ScheduleRepository)?
    let maxLateness: TimeInterval
    let clock: any WorkerClock

    public init(
        store: any FleetReadingRepository, library: ScriptLibrary, schedule: (any ScheduleRepository)?, maxLateness: TimeInterval,
        clock: any WorkerClock = SystemClock()
    ) {
        self.store = store
        self.library = library
        self.schedule = schedule
        self.maxLateness = maxLateness
        self.clock = clock
    }

    public func report() async -> Report {
        var reasons: [String] = []
        do {
            try await store.probeReadWrite()
        } catch {
            reasons.append("database: cannot write or read: \(error)")
        }
        if library.generation == 0 { reasons.append("scripts: no script set is active") }
        if let schedule {
            do {
                if let due = try await schedule.nextDueAt() {
                    let late = clock.now().timeIntervalSince(due)
                    if late > maxLateness {
                        reasons.append(
                            "worker: a check has waited \(Int(late)) s past its due time (the bound is \(Int(maxLateness)) s)")
                    }
                }
            } catch {
                reasons.append("worker: cannot read the schedule: \(error)")
            }
        }
        return Report(reasons: reasons)
    }
}
