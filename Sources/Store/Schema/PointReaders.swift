import GRDB
import Synchronization

/// Read-only connections for point reads on the caller's thread.
///
/// A lookup of one row by a unique index is shorter than the trip to a reader
/// queue and back that `pool.read` with `await` makes (two thread wake-ups).
/// These connections are used only when one is free at once: a caller never waits
/// for one (blocking a thread of the cooperative pool while async reads need that
/// pool to give their connection back would deadlock), it falls back to the pool.
final class PointReaders: Sendable {
    private let slots: [Slot]

    private final class Slot: Sendable {
        let lock = Mutex(())
        let queue: DatabaseQueue
        init(_ queue: DatabaseQueue) { self.queue = queue }
    }

    init(path: String, count: Int) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        slots = try (0..<max(1, count)).map { _ in Slot(try DatabaseQueue(path: path, configuration: configuration)) }
    }

    /// `body`'s result, or nil when every connection is in use.
    func read<T: Sendable>(_ body: (Database) throws -> T) throws -> T? {
        for slot in slots {
            let outcome: Result<T, any Error>? = slot.lock.withLockIfAvailable { _ in Result { try slot.queue.read(body) } }
            if let outcome { return try outcome.get() }
        }
        return nil
    }
}
