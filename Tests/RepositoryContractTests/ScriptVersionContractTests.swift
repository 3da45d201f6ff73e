import Domain
import Foundation
import Testing

@Suite("Contract: the script version ledger (ScriptVersionRepository)")
struct ScriptVersionContractTests {
    @Test("recordScriptVersions records each (name, version) once: the first digest stays", arguments: StoreKind.allCases)
    func ledger(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.scripts.scriptDigest(name: "monitor_policy", version: "1") == nil)
            try await store.scripts.recordScriptVersions([
                ScriptVersionRecord(name: "monitor_policy", version: "1", sha256: "aaa", firstActivatedAt: Fixed.t0),
                ScriptVersionRecord(name: "post_check", version: "1", sha256: "bbb", firstActivatedAt: Fixed.t0),
            ])
            #expect(try await store.scripts.scriptDigest(name: "monitor_policy", version: "1") == "aaa")
            #expect(try await store.scripts.scriptDigest(name: "post_check", version: "1") == "bbb")

            // Seen before: the first record is kept (a changed source under a known version is detectable).
            try await store.scripts.recordScriptVersions([
                ScriptVersionRecord(name: "monitor_policy", version: "1", sha256: "changed", firstActivatedAt: Fixed.at(60)),
                ScriptVersionRecord(name: "monitor_policy", version: "2", sha256: "ccc", firstActivatedAt: Fixed.at(60)),
            ])
            #expect(try await store.scripts.scriptDigest(name: "monitor_policy", version: "1") == "aaa")
            #expect(try await store.scripts.scriptDigest(name: "monitor_policy", version: "2") == "ccc")
            #expect(try await store.scripts.scriptDigest(name: "monitor_policy", version: "3") == nil)
            #expect(try await store.scripts.scriptDigest(name: "other", version: "1") == nil)

            // Nothing to record is fine.
            try await store.scripts.recordScriptVersions([])
            #expect(try await store.scripts.scriptDigest(name: "post_check", version: "1") == "bbb")
        }
    }
}
