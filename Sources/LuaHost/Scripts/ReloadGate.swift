import Synchronization

/// Lets one reload at a time through, in arrival order, so that the last
/// directory read is the one that ends up active.
final class ReloadGate: Sendable {
    private struct Queue {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let queue = Mutex(Queue())

    func enter() async {
        await withCheckedContinuation { continuation in
            queue.withLock { queue in
                if queue.busy {
                    queue.waiters.append(continuation)
                } else {
                    queue.busy = true
                    continuation.resume()
                }
            }
        }
    }

    func leave() {
        queue.withLock { queue in
            if queue.waiters.isEmpty {
                queue.busy = false
            } else {
                queue.waiters.removeFirst().resume()
            }
        }
    }
}
