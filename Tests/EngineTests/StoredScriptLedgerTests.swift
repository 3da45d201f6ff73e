import Notifiers
import App
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
@testable import SQLiteStore
import Domain
import Testing

/// The versions of active scripts are kept in the database: "bump the version" holds after a restart.
@Suite("Script versions kept in the database")
struct StoredScriptLedgerTests {
    @Test("a restart refuses a changed source under a recorded version, and accepts it once the version is bumped")
    func bumpAcrossRestarts() async throws {
        let directory = try TemporaryDirectory.make(prefix: "mm-ledger-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scripts = directory + "/scripts"
        try FileManager.default.copyItem(atPath: ShippedScripts.path, toPath: scripts)
        let database = directory + "/mailmon.sqlite"
        let policy = scripts + "/policies/monitor_create.lua"

        let first = try await MailmonRuntime.open(databasePath: database, scriptsDirectory: scripts)
        let recorded = try await first.database.scriptVersions()
        let active = first.library.active
        #expect(Set(recorded.map { "\($0.name)@\($0.version)=\($0.sha256)" }) == Set(active.map { "\($0.name)@\($0.version)=\($0.sha256)" }))

        // The same version with another source, as after an edit and a restart: refused.
        let source = try String(contentsOfFile: policy, encoding: .utf8)
        try (source + "\n-- edited\n").write(toFile: policy, atomically: true, encoding: .utf8)
        await #expect {
            _ = try await MailmonRuntime.open(databasePath: database, scriptsDirectory: scripts)
        } throws: { error in
            guard let error = error as? LuaScriptError else { return false }
            return error.kind == .version && error.script == "policies/monitor_create.lua" && error.message.contains("bump the version")
        }

        // Bumped: accepted, and both versions stay on record with their own digests.
        try (source.replacingOccurrences(of: #"version = "[0-9.]+""#, with: #"version = "9.0.0""#, options: .regularExpression) + "\n-- edited\n")
            .write(toFile: policy, atomically: true, encoding: .utf8)
        let second = try await MailmonRuntime.open(databasePath: database, scriptsDirectory: scripts)
        let versions = try await second.database.scriptVersions().filter { $0.name == "policies/monitor_create" }
        #expect(versions.count == 2 && versions.last?.version == "9.0.0")
        #expect(Set(versions.map(\.sha256)).count == 2)
    }
}
