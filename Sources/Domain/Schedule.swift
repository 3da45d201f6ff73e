public import Foundation

/// A monitor whose check is due, claimed by one worker until `claimedUntil`.
public struct ClaimedCheck: Sendable {
    public var monitor: Monitor
    public var dueAt: Date
    /// Consecutive failures before an incident opens (the customer's `alertLocationThresholdCount`).
    public var failureThreshold: Int

    public init(monitor: Monitor, dueAt: Date, failureThreshold: Int) {
        self.monitor = monitor
        self.dueAt = dueAt
        self.failureThreshold = failureThreshold
    }
}

/// The schedule lives in the monitor rows; workers claim due rows in a write
/// transaction so two workers never check the same monitor in the same interval.
public protocol ScheduleRepository: Sendable {
    /// Gives checked-for monitors without a due time (new, re-activated, interval
    /// changed) one within `spread` seconds of `now`, spread at random; a batch larger
    /// than `perSecond` allows is spread wider, at most over each monitor's interval.
    func scheduleUnscheduled(now: Date, spread: TimeInterval, perSecond: Double) async throws -> Int
    /// Claims up to `limit` due checks, earliest first; a claim lasts until the check's
    /// timeout plus `grace`, after which another worker may take it.
    func claimDueChecks(worker: String, now: Date, limit: Int, grace: TimeInterval) async throws -> [ClaimedCheck]
    /// The earliest due time of any checked-for monitor (nil: nothing scheduled).
    func nextDueAt() async throws -> Date?
    /// Gives up this worker's claims (shutdown): they are due again at once.
    func releaseClaims(worker: String) async throws
}
