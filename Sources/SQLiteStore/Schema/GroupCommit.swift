public import Domain
import Foundation
import GRDB
import Synchronization

/// Group commit: writes submitted while the writer is busy wait together and are
/// then run in one transaction, each inside its own savepoint.
///
/// A commit costs a transaction's begin and end, a trip to the writer's queue and
/// the WAL pages it touches; under concurrent load (a client creating monitors on
/// 64 connections) sharing them is most of the difference. Every write still
/// stands alone: one that throws is rolled back to its savepoint and only its
/// caller sees the error; callers are answered only after the commit, and if the
/// commit fails, all of them get that error. Nothing waits for company: a write
/// that arrives while the writer is idle is committed at once.
final class GroupCommit: Sendable {
    private let pool: DatabasePool
    private let state = Mutex(State())

    private struct State {
        var queue: [any BatchedWrite] = []
        /// Jobs for the writer outside any transaction, run before the next batch.
        var between: [any BatchedWrite] = []
        var draining = false
        var transactions = 0
        var pace = WritePace()
    }

    /// Writes waiting for the writer (for tests).
    var waiting: Int { state.withLock { $0.queue.count } }
    /// Jobs waiting to run between batches (for tests).
    var waitingBetween: Int { state.withLock { $0.between.count } }
    /// Transactions run so far (for tests).
    var transactions: Int { state.withLock { $0.transactions } }

    init(pool: DatabasePool) { self.pool = pool }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(Write(body: body, continuation: continuation))
        }
    }

    /// Runs `body` on the writer's connection between two batches, outside any
    /// transaction (a checkpoint cannot run inside one): queued writes wait for it,
    /// and it waits for the batch in progress.
    func betweenBatches<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(Write(body: body, continuation: continuation), between: true)
        }
    }

    private func enqueue(_ write: any BatchedWrite, between: Bool = false) {
        let now = between ? 0 : Self.nanoseconds()
        let start = state.withLock { state -> Bool in
            if between {
                state.between.append(write)
            } else {
                state.queue.append(write)
                state.pace.arrival(atNanoseconds: now)
            }
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if start {
            pool.asyncWriteWithoutTransaction { db in self.drain(db) }
        }
    }

    /// Runs on the writer: commits batches until the queue is empty.
    private func drain(_ db: Database) {
        while true {
            gather()
            let (between, batch) = state.withLock { state -> ([any BatchedWrite], [any BatchedWrite]) in
                defer { state.between = []; state.queue = [] }
                if state.between.isEmpty, state.queue.isEmpty { state.draining = false }
                if !state.queue.isEmpty { state.transactions += 1 }
                return (state.between, state.queue)
            }
            for job in between { job.runAlone(db) }
            if between.isEmpty, batch.isEmpty { return }
            guard !batch.isEmpty else { continue }
            var commitError: (any Error)?
            do {
                try db.inTransaction(.immediate) {
                    for write in batch { try write.run(db) }
                    return .commit
                }
            } catch {
                commitError = error
            }
            for write in batch { write.finish(commitError: commitError) }
        }
    }
}

extension GroupCommit {
    /// While writes stream in, lets the next batch gather (see `WritePace`): up to
    /// `gatherMicroseconds` on the writer's thread, less once `gatherWrites` wait.
    private func gather() {
        var waited: UInt32 = 0
        while waited < WritePace.gatherMicroseconds,
            state.withLock({ $0.pace.streaming && $0.queue.count < WritePace.gatherWrites && $0.between.isEmpty })
        {
            usleep(WritePace.gatherStepMicroseconds)
            waited += WritePace.gatherStepMicroseconds
        }
    }

    static func nanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}

enum GroupCommitError: Error {
    /// The shared transaction ended before this write could run.
    case transactionAborted
}

private protocol BatchedWrite: Sendable {
    func run(_ db: Database) throws
    func finish(commitError: (any Error)?)
    /// Runs outside any transaction and answers the caller at once.
    func runAlone(_ db: Database)
}

/// One caller's write. `result` is set and read on the writer's queue only.
private final class Write<T: Sendable>: BatchedWrite, @unchecked Sendable {
    let body: @Sendable (Database) throws -> T
    let continuation: CheckedContinuation<T, any Error>
    var result: Result<T, any Error>?

    init(body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    /// Runs the body in its savepoint; the body's error is this write's result. Throws
    /// only when the savepoint itself fails: the transaction is then in doubt and the
    /// whole batch is rolled back (every caller gets that error).
    func run(_ db: Database) throws {
        // SQLite rolls a whole transaction back on some errors (disk full, I/O): what
        // follows must not run outside it.
        guard db.isInsideTransaction else { throw GroupCommitError.transactionAborted }
        try db.cachedStatement(sql: "SAVEPOINT groupCommitWrite").execute()
        do {
            result = .success(try body(db))
            try db.cachedStatement(sql: "RELEASE SAVEPOINT groupCommitWrite").execute()
        } catch {
            result = .failure(error)
            try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT groupCommitWrite").execute()
            try db.cachedStatement(sql: "RELEASE SAVEPOINT groupCommitWrite").execute()
        }
    }

    func runAlone(_ db: Database) {
        continuation.resume(with: Result { try body(db) })
    }

    func finish(commitError: (any Error)?) {
        if let commitError {
            continuation.resume(throwing: commitError)
        } else {
            continuation.resume(with: result ?? .failure(GroupCommitError.transactionAborted))
        }
    }
}
