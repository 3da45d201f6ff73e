public import Domain
public import Foundation
import SQLiteStore

/// Where the database is: `--database`, else MAILMON_DATABASE, else the default file.
public enum StoreLocation {
    public static let defaultPath = "data/mailmon.sqlite"

    public static func resolve(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        flag ?? environment["MAILMON_DATABASE"] ?? defaultPath
    }

    /// The tokens and organizations of the database at `path` (for the CLI's `token` commands).
    public static func openAccess(_ path: String) throws -> any AccessRepository {
        try AppDatabase(path: path)
    }
}

extension StoreLocation {
    /// A consistent, checked copy of the live database at `path` (see `DatabaseBackup`).
    public static func backup(_ path: String, to destination: String) throws -> (bytes: Int, counts: [String: Int]) {
        let summary = try DatabaseBackup.copy(from: path, to: destination)
        return (summary.bytes, summary.counts)
    }
}

extension StoreLocation {
    /// `mailmon secrets rotate`: a new key first in `keyFile`, every secret re-sealed with it. The new key's id, the
    /// rows re-sealed and the keys still in use.
    public static func rotateSecrets(databasePath: String, keyFile: String) async throws -> (keyId: String, resealed: Int, inUse: Set<String>) {
        let ring = try SecretKeyRing.rotate(path: keyFile)
        let (resealed, inUse) = try await AppDatabase(path: databasePath, cipher: ring).resealSecrets(forgetUnused: false)
        return (ring.currentKeyId, resealed, inUse)
    }

    /// `mailmon secrets prune`: what is still under an old key re-sealed with the current one, the old keys removed.
    public static func pruneSecrets(databasePath: String, keyFile: String) async throws -> (keyId: String, resealed: Int, removed: Int) {
        let ring = try SecretKeyRing.load(path: keyFile)
        let (resealed, inUse) = try await AppDatabase(path: databasePath, cipher: ring).resealSecrets(forgetUnused: true)
        return (ring.currentKeyId, resealed, try SecretKeyRing.retain(inUse, path: keyFile))
    }
}
