import GRDB

/// What one WAL checkpoint found and did.
public struct WALCheckpoint: Sendable, Equatable {
    /// Frames in the write-ahead log; -1 when another checkpoint was running.
    public var walFrames: Int
    /// Frames of it now copied into the database file.
    public var checkpointedFrames: Int
}

/// Checkpoints run in the background, off the commit path.
public protocol MaintenanceRepository: Sendable {
    func checkpointWAL() async throws -> WALCheckpoint
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
            do {
                let result = try db.checkpoint(.passive)
                return WALCheckpoint(walFrames: result.walFrameCount, checkpointedFrames: result.checkpointedFrameCount)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                return WALCheckpoint(walFrames: -1, checkpointedFrames: -1)
            }
        }
    }
}
