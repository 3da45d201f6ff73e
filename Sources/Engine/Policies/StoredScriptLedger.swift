public import LuaHost
public import Domain

/// The script library's version ledger, kept in the database (`scriptVersion`):
/// "bump the version" holds across restarts, and across `serve` and `worker`.
public struct StoredScriptLedger: ScriptVersionLedger {
    let versions: any ScriptVersionRepository

    public init(versions: any ScriptVersionRepository) {
        self.versions = versions
    }

    public func digest(of name: String, version: String) async throws -> String? {
        try await versions.scriptDigest(name: name, version: version)
    }

    public func record(_ scripts: [ScriptInfo]) async throws {
        try await versions.recordScriptVersions(
            scripts.map { ScriptVersionRecord(name: $0.name, version: $0.version, sha256: $0.sha256, firstActivatedAt: $0.loadedAt) })
    }
}
