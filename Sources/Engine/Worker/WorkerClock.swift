public import Foundation

/// Where the worker gets its time. Tests inject a clock they move by hand, so
/// hours of schedule run in milliseconds.
public protocol WorkerClock: Sendable {
    func now() -> Date
    /// Sleeps for `duration` of this clock's time (throws when cancelled).
    func sleep(for duration: Duration) async throws
}

/// The wall clock.
public struct SystemClock: WorkerClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
