import Foundation
import LuaHost
import Testing

@Suite("Script library: versions, reloads, selftests")
struct ScriptLibraryTests {
    static func greeter(_ greeting: String, version: String, selftest: String = "") -> String {
        """
        local M = { version = "\(version)" }
        function M.greet(name) return "\(greeting), " .. name end
        \(selftest)
        return M
        """
    }

    @Test("the active set lists name, version, sha256 and load time")
    func listing() async throws {
        let fixture = try await ScriptFixture(["policies/greet": Self.greeter("Hello", version: "1.0.0")])
        defer { fixture.remove() }
        let active = fixture.library.active
        #expect(active.map(\.name) == ["policies/greet"])
        #expect(active.first?.version == "1.0.0")
        #expect(active.first?.sha256.count == 64)
        #expect(fixture.library.generation == 1)
    }

    @Test("a reload with a broken script keeps the old set serving")
    func brokenReloadKeepsOld() async throws {
        let fixture = try await ScriptFixture(["greet": Self.greeter("Hello", version: "1")])
        defer { fixture.remove() }
        try fixture.write("greet", "local M = { version = '2' }\nfunction M.greet(name) return 'Hi ' .. end\nreturn M\n")
        await #expect {
            try await fixture.library.reload()
        } throws: { ($0 as? LuaScriptError)?.location == "greet.lua:2" }
        #expect(try await fixture.library.call("greet", "greet", ["Ann"]) == ["Hello, Ann"])
        #expect(fixture.library.active.first?.version == "1")
        #expect(fixture.library.generation == 1)
    }

    @Test("a failing selftest refuses the reload, naming its line")
    func failingSelftest() async throws {
        let fixture = try await ScriptFixture(["greet": Self.greeter("Hello", version: "1")])
        defer { fixture.remove() }
        try fixture.write(
            "greet",
            Self.greeter("Hi", version: "2", selftest: "function M.selftest()\n  assert(M.greet('x') == 'Hello, x', 'greeting changed')\nend"))
        await #expect {
            try await fixture.library.reload()
        } throws: { error in
            guard let error = error as? LuaScriptError else { return false }
            return error.script == "greet.lua" && error.line == 4 && error.message.contains("greeting changed")
        }
        #expect(try await fixture.library.call("greet", "greet", ["Ann"]) == ["Hello, Ann"])
    }

    @Test("a changed source under the same version is refused: bump the version")
    func versionBumpRule() async throws {
        let fixture = try await ScriptFixture(["greet": Self.greeter("Hello", version: "1")])
        defer { fixture.remove() }
        try fixture.write("greet", Self.greeter("Hi", version: "1"))
        await #expect {
            try await fixture.library.reload()
        } throws: { error in
            guard let error = error as? LuaScriptError else { return false }
            return error.kind == .version && error.script == "greet.lua" && error.message.contains("bump the version")
        }
        #expect(try await fixture.library.call("greet", "greet", ["Ann"]) == ["Hello, Ann"])

        try fixture.write("greet", Self.greeter("Hi", version: "2"))
        try await fixture.library.reload()
        #expect(try await fixture.library.call("greet", "greet", ["Ann"]) == ["Hi, Ann"])
        #expect(fixture.library.generation == 2)

        // Going back to version 1 with other content than version 1 had is refused too.
        try fixture.write("greet", Self.greeter("Hey", version: "1"))
        await #expect(throws: LuaScriptError.self) { try await fixture.library.reload() }
        // The exact old source under its old version is fine.
        try fixture.write("greet", Self.greeter("Hello", version: "1"))
        try await fixture.library.reload()
        #expect(try await fixture.library.call("greet", "greet", ["Ann"]) == ["Hello, Ann"])
    }

    @Test("an unchanged directory reloads to the same generation")
    func unchangedReload() async throws {
        let fixture = try await ScriptFixture(["greet": Self.greeter("Hello", version: "1")])
        defer { fixture.remove() }
        let before = fixture.library.active
        try await fixture.library.reload()
        #expect(fixture.library.active == before)
        #expect(fixture.library.generation == 1)
    }

    @Test("calls in flight finish on the set they started with")
    func inFlightDuringReload() async throws {
        var functions = LuaHostFunctions()
        functions.registerAsync("mailmon.wait") { _ in
            try await Task.sleep(for: .milliseconds(100))
            return []
        }
        let fixture = try await ScriptFixture(
            ["greet": "local M = { version = '1' }\nfunction M.greet(n) mailmon.wait() return 'old ' .. n end\nreturn M\n"],
            functions: functions)
        defer { fixture.remove() }
        async let slow = fixture.library.call("greet", "greet", ["Ann"])
        try await Task.sleep(for: .milliseconds(20))
        try fixture.write("greet", "local M = { version = '2' }\nfunction M.greet(n) return 'new ' .. n end\nreturn M\n")
        try await fixture.library.reload()
        #expect(try await fixture.library.call("greet", "greet", ["Bo"]) == ["new Bo"])
        #expect(try await slow == ["old Ann"])
    }

    @Test("check() validates a directory without activating it")
    func checkOnly() async throws {
        let fixture = try await ScriptFixture(["greet": Self.greeter("Hello", version: "3")])
        defer { fixture.remove() }
        let infos = try await ScriptLibrary.check(directory: fixture.directory.path)
        #expect(infos.map(\.version) == ["3"])
        try fixture.write("bad", "return {}")
        await #expect(throws: LuaScriptError.self) { _ = try await ScriptLibrary.check(directory: fixture.directory.path) }
    }

    @Test("a set without a required script or function is refused by check() and by reload, naming it")
    func requiredEntryPoints() async throws {
        let fixture = try await ScriptFixture(["greet": Self.greeter("Hello", version: "1")])
        defer { fixture.remove() }
        let directory = fixture.directory.path
        #expect(try await ScriptLibrary.check(directory: directory, required: ["greet": ["greet"]]).count == 1)
        for required in [["farewell": ["greet"]], ["greet": ["greet", "wave"]]] {
            await #expect {
                _ = try await ScriptLibrary.check(directory: directory, required: required)
            } throws: { error in
                guard let error = error as? LuaScriptError, error.kind == .contract else { return false }
                return required.keys.contains { error.script == $0 + ".lua" }
                    && (error.message.contains("missing") || error.message.contains("no function 'wave'"))
            }
        }

        let library = ScriptLibrary(directory: directory, required: ["greet": ["greet"]])
        try await library.reload()
        try fixture.write("greet", "local M = { version = '2' }\nfunction M.hello(name) return name end\nreturn M\n")
        await #expect {
            try await library.reload()
        } throws: { ($0 as? LuaScriptError)?.message.contains("no function 'greet'") == true }
        #expect(try await library.call("greet", "greet", ["Ann"]) == ["Hello, Ann"], "the old set keeps serving")
    }

    @Test("the shipped scripts pass their selftests")
    func shippedScripts() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let infos = try await ScriptLibrary.check(directory: root.appendingPathComponent("scripts").path)
        #expect(!infos.isEmpty)
    }
}
