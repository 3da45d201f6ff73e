import NIOCore
import Synchronization

/// Connections waiting for a request head, across every event loop: the ones the
/// connection limit closes first, oldest first, when a new connection needs room.
/// One per server, shared by its connections' handlers and its connection limit.
public final class WaitingConnections: Sendable {
    private struct State {
        var next = 0
        var waiting: [Int: (since: NIODeadline, channel: any Channel)] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Registers a channel that now waits for a head; the token unregisters it.
    func add(_ channel: any Channel) -> Int {
        state.withLock { state in
            state.next += 1
            state.waiting[state.next] = (NIODeadline.now(), channel)
            return state.next
        }
    }

    func remove(_ token: Int) {
        _ = state.withLock { $0.waiting.removeValue(forKey: token) }
    }

    /// Closes the connection that has waited longest for a head; false when none waits.
    func closeOldest() -> Bool {
        let oldest = state.withLock { state -> (any Channel)? in
            guard let entry = state.waiting.min(by: { $0.value.since < $1.value.since }) else { return nil }
            state.waiting.removeValue(forKey: entry.key)
            return entry.value.channel
        }
        guard let oldest else { return false }
        oldest.close(promise: nil)
        return true
    }

    var count: Int { state.withLock { $0.waiting.count } }
}
