public import Domain
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
        // Never wait here (a wait would block a thread of the cooperative pool): a busy
        // database sends the read to the pool instead.
        configuration.busyMode = .immediateError
        slots = try (0..<max(1, count)).map { _ in Slot(try DatabaseQueue(path: path, configuration: configuration)) }
    }

    /// `body`'s result, or nil when every connection is in use.
    ///
    /// `body` runs one SELECT: SQLite gives a single statement its own read
    /// transaction and snapshot, so no BEGIN/COMMIT (nor GRDB's `query_only`
    /// toggles around them: four more statements per read) is wrapped around it.
    /// The connections are opened read-only, so nothing here can write.
    func read<T: Sendable>(_ body: (Database) throws -> T) throws -> T? {
        for slot in slots {
            let outcome: Result<T, any Error>? = slot.lock.withLockIfAvailable { _ in Result { try slot.queue.unsafeRead(body) } }
            switch outcome {
            case .none: continue
            case .success(let value): return value
            case .failure(let error as DatabaseError) where error.resultCode == .SQLITE_BUSY: return nil
            case .failure(let error): throw error
            }
        }
        return nil
    }
}
