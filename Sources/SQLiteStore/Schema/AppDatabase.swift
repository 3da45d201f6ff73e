public import Domain
import Foundation
import GRDB

/// The one entry to the database: opens it (WAL, through a pool: one writer,
/// concurrent readers), runs the migrations, and offers writes named after
/// what they do (in the `AppDatabase+…` files).
public final class AppDatabase: Sendable {
    let pool: DatabasePool
    /// Writes that arrive together share a transaction (see `GroupCommit`).
    let groupCommit: GroupCommit
    let pointReaders: PointReaders
    /// The connection `checkpointWAL` runs on.
    let checkpointer: DatabaseQueue
    /// The database file, opened read-only for `restartWAL`'s sync off the writer.
    let databaseFile: Int32
    /// Seals mailbox configs and channel URLs at rest; nil keeps them in clear (tools and tests that ask so).
    let cipher: (any SecretCipher)?
    /// WAL pages after which a commit checkpoints by itself (SQLite's default is 1,000).
    static let autoCheckpointPages = 50_000
    /// Point readers: one per core, at most as many as the pool's readers.
    static let maximumPointReaders = 8

    /// Opens (creating if needed) the database file at `path`; its directory is created too.
    /// With a `cipher`, secrets are sealed at rest: the keys the database was written with are
    /// checked first (a missing or wrong key stops here, naming the key), and any secret still
    /// in clear is sealed.
    public init(path: String, cipher: (any SecretCipher)? = nil) throws {
        self.cipher = cipher
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.maximumReaderCount = Self.maximumPointReaders
        configuration.prepareDatabase { db in
            // WAL + NORMAL: durable across a crash of the process, at most the last
            // transactions lost on power loss; no fsync per commit.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Checkpoints run in the background (`checkpointWAL`); this is the backstop.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(AppDatabase.autoCheckpointPages)")
            // Freed content is overwritten, so a secret sealed in place leaves no clear copy in the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        groupCommit = GroupCommit(pool: pool)
        if try pool.read({ db in try Migrations.migrator.hasBeenSuperseded(db) }) {
            let known = Set(Migrations.migrator.migrations)
            let newer = try pool.read { db in try Migrations.migrator.appliedIdentifiers(db) }.subtracting(known).sorted()
            throw DatabaseTooNew(
                description:
                    "the database was migrated by a newer mailmon (\(newer.joined(separator: ", "))): run that release, or restore the backup taken before the upgrade")
        }
        try Migrations.migrator.migrate(pool)
        pointReaders = try PointReaders(path: path, count: min(ProcessInfo.processInfo.activeProcessorCount, Self.maximumPointReaders))
        var checkpointConfiguration = Configuration()
        checkpointConfiguration.busyMode = .timeout(10)
        checkpointer = try DatabaseQueue(path: path, configuration: checkpointConfiguration)
        databaseFile = open(path, O_RDONLY | O_CLOEXEC)
        if let cipher { try SecretsAtRest.prepare(pool, cipher: cipher) }
    }

    func sealed(_ text: String) throws -> String {
        guard let cipher else { return text }
        return try cipher.seal(text)
    }

    func opened(_ text: String) throws -> String {
        guard let cipher, text.hasPrefix(SealedText.prefix) else { return text }
        return try cipher.open(text)
    }

    deinit {
        if databaseFile >= 0 { close(databaseFile) }
    }

    /// A lookup of one row by a unique index, in one SELECT (`body` must not run
    /// more: on a point reader it gets no transaction around it): on the caller's
    /// thread when a point reader is free (see `PointReaders`), through the pool
    /// otherwise. Used on every request (the token) and every create (the customer).
    func pointRead<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if let value = try pointReaders.read(body) { return value }
        return try await pool.read(body)
    }

    /// Names of the applied migrations, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Migrations.migrator.appliedMigrations(db) }
    }
}

/// Timestamps are stored as integer milliseconds since 1970 (UTC).
enum StoredTime {
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
    /// The milliseconds a `date(_:)` was made from (to the nearest: the division is not exact).
    static func roundTripMilliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

/// A database that a newer release migrated: this binary does not know all its migrations.
public struct DatabaseTooNew: Error, CustomStringConvertible {
    public var description: String
}
