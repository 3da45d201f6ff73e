import Foundation
import Synchronization

/// Wakes a sleeping loop early (an API change, a finished check). Signals while
/// nobody waits are remembered, once.
public final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns on a signal, after `duration` on `clock`, or on cancellation.
    func wait(upTo duration: Duration, clock: any WorkerClock) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait() }
            group.addTask { try? await clock.sleep(for: duration) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns on a signal, at `next` (if sooner than `poll` seconds from now), or after `poll` seconds.
    func wait(until next: Date?, poll: Double, clock: any WorkerClock) async {
        var seconds = poll
        if let next { seconds = min(poll, max(0.005, next.timeIntervalSince(clock.now()))) }
        await wait(upTo: .milliseconds(Int64(seconds * 1000)), clock: clock)
    }

    private func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
