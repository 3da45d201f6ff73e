public import Domain
import Foundation
import GRDB

/// What one WAL checkpoint found and did.
public struct WALCheckpoint: Sendable, Equatable {
    /// Frames in the write-ahead log; -1 when another checkpoint was running.
    public var walFrames: Int
    /// Frames of it now copied into the database file.
    public var checkpointedFrames: Int
}

/// `fdatasync` of the database file failed (`restartWAL`).
public struct DatabaseFileSyncError: Error, Sendable { public let errno: Int32 }

/// Checkpoints run in the background, off the commit path.
public protocol MaintenanceRepository: Sendable {
    func checkpointWAL() async throws -> WALCheckpoint
    func restartWAL(after previous: WALCheckpoint?) async throws -> Bool
}

extension AppDatabase: MaintenanceRepository {
    /// Copies committed WAL frames into the database file, on a connection of its
    /// own and in PASSIVE mode: it neither waits for nor blocks the writer or readers.
    ///
    /// SQLite otherwise checkpoints inside the commit that crosses the threshold,
    /// with an fsync of the database file: a stall every few thousand writes that
    /// showed as the create route's p99. With this run often (`WALCheckpointer`),
    /// the in-commit checkpoint (at `autoCheckpointPages`) stays a backstop for
    /// processes that do not run it. Another checkpoint in progress is not an error:
    /// nothing is copied this time.
    public func checkpointWAL() async throws -> WALCheckpoint {
        try await checkpointer.writeWithoutTransaction { db in
            try Self.passiveCheckpoint(db) ?? WALCheckpoint(walFrames: -1, checkpointedFrames: -1)
        }
    }

    /// A PASSIVE checkpoint on `db`; nil when another one (another process's) is running.
    static func passiveCheckpoint(_ db: Database) throws -> WALCheckpoint? {
        do {
            let result = try db.checkpoint(.passive)
            return WALCheckpoint(walFrames: result.walFrameCount, checkpointedFrames: result.checkpointedFrameCount)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            return nil
        }
    }

    /// Lets the next commit write the WAL from its beginning again, with the writer
    /// stalled for the least time; true when it will.
    ///
    /// SQLite starts the log over only when a write begins while every frame in it
    /// is already in the database file. Under a steady stream of writes the
    /// background checkpoint never gets there (new frames arrive while it copies
    /// and syncs), so the log grows until the in-commit checkpoint at
    /// `autoCheckpointPages`, which syncs the log and the database file on the
    /// writer: 10–30 ms without a commit, every ~10,000 frames. Instead:
    /// 1. off the writer, checkpoints follow each other, each with a sync of the
    ///    database file, until one finds only a few new frames: every sync is
    ///    shorter than the one before, as there is less new to write;
    /// 2. on the writer, between two batches, a last checkpoint copies those few
    ///    frames; its syncs (log, then database file) find little to write, the log
    ///    is then complete, and the next write starts it over.
    ///
    /// `previous`: the checkpoint that found the log long, when there was one just before;
    /// what it copied is not counted as new again.
    public func restartWAL(after previous: WALCheckpoint? = nil) async throws -> Bool {
        let file = databaseFile
        var copied = previous.map(\.checkpointedFrames) ?? -1
        for _ in 0..<Self.restartPasses {
            let pass = try await checkpointer.writeWithoutTransaction { db -> WALCheckpoint? in
                guard let pass = try Self.passiveCheckpoint(db) else { return nil }
                if file >= 0, fdatasync(file) != 0 { throw DatabaseFileSyncError(errno: errno) }
                return pass
            }
            guard let pass else { return false }
            let fresh = copied < 0 ? pass.walFrames : pass.walFrames - copied
            copied = pass.checkpointedFrames
            if fresh <= Self.restartFreshFrames { break }
        }
        return try await groupCommit.betweenBatches { db in
            guard let last = try Self.passiveCheckpoint(db) else { return false }
            return last.checkpointedFrames == last.walFrames
        }
    }

    /// Background passes before the writer's share (`restartWAL`), at most.
    static let restartPasses = 6
    /// New frames few enough for the writer to copy and sync (`restartWAL`).
    static let restartFreshFrames = 64
}
