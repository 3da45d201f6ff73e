public import Foundation

/// A script version that was active at some point: which source it had, and since when.
public struct ScriptVersionRecord: Sendable, Equatable {
    public var name: String
    public var version: String
    public var sha256: String
    public var firstActivatedAt: Date

    public init(name: String, version: String, sha256: String, firstActivatedAt: Date) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.firstActivatedAt = firstActivatedAt
    }
}

/// The script versions that were ever active, kept across restarts so that a
/// changed source under a version already seen is refused then too, and so that
/// a monitor's `policyVersion` can be traced to the source that decided it.
public protocol ScriptVersionRepository: Sendable {
    /// The SHA-256 recorded for `name` at `version`, if that version was ever active.
    func scriptDigest(name: String, version: String) async throws -> String?
    /// Records versions that just became active; one seen before keeps its first record.
    func recordScriptVersions(_ versions: [ScriptVersionRecord]) async throws
}
