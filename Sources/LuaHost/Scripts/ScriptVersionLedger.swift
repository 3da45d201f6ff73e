/// Remembers which source each script version had, so that a changed source
/// under a version already seen is refused ("bump the version").
///
/// The library always keeps such a record in memory for its own lifetime; a
/// ledger makes it durable (the Engine stores it in the database).
public protocol ScriptVersionLedger: Sendable {
    /// The SHA-256 recorded for `name` at `version`, if that version was ever active.
    func digest(of name: String, version: String) async throws -> String?
    /// Records the scripts of a set that just became active.
    func record(_ scripts: [ScriptInfo]) async throws
}
