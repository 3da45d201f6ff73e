import LuaHost
import Testing

@Suite("Errors carry script and line")
struct ErrorLocationTests {
    @Test("error() names the script and line")
    func errorCall() async throws {
        let error = try #require(await ScriptFixture.failure("\n\nerror('boom')"))
        #expect(error.kind == .runtime)
        #expect(error.script == "t.lua")
        #expect(error.line == 5)
        #expect(error.message == "boom")
        #expect(error.description == "t.lua:5: boom")
    }

    @Test("a runtime error several frames deep points at its line, with a traceback")
    func deepRuntimeError() async throws {
        let source = """
            local M = { version = "1" }
            local function c(t) return t.missing.field end
            local function b(t) return c(t) + 1 end
            local function a(t) return b(t) * 2 end
            function M.run() local r = a({}) return r end
            return M
            """
        let fixture = try await ScriptFixture(["policies/deep": source])
        defer { fixture.remove() }
        await #expect {
            _ = try await fixture.library.call("policies/deep", "run")
        } throws: { error in
            guard let error = error as? LuaScriptError else { return false }
            return error.script == "policies/deep.lua" && error.line == 2
                && error.message.contains("attempt to index a nil value")
                && error.traceback.count >= 4
                && error.traceback.first?.hasPrefix("policies/deep.lua:2:") == true
                && error.traceback.contains { $0.hasPrefix("policies/deep.lua:5:") }
                && error.traceback.first?.hasPrefix("policies/deep.lua:2: in function") == true
                && !error.traceback.contains { $0.contains("main chunk") }
        }
    }

    @Test("a syntax error names the file and line, and nothing loads")
    func syntaxError() async throws {
        let directory = try await ScriptFixture(["ok": ScriptFixture.script("return 1")])
        defer { directory.remove() }
        try directory.write("bad", "local M = { version = '1' }\n\nlocal x = = 2\nreturn M\n")
        await #expect {
            try await directory.library.reload()
        } throws: { error in
            guard let error = error as? LuaScriptError else { return false }
            return error.kind == .syntax && error.script == "bad.lua" && error.line == 3
        }
    }

    @Test("errors from host functions point at the calling line")
    func hostFunctionError() async throws {
        var functions = LuaHostFunctions()
        functions.register("mailmon.fail") { _ in throw LuaHostError("nope") }
        let error = try #require(await ScriptFixture.failure("local x = 1\nmailmon.fail()", functions: functions))
        #expect(error.script == "t.lua")
        #expect(error.line == 4)
        #expect(error.message == "mailmon.fail: nope")
    }

    @Test("a missing entry point or script is a clear error")
    func missingFunction() async throws {
        let fixture = try await ScriptFixture(["t": ScriptFixture.script("return 1")])
        defer { fixture.remove() }
        await #expect {
            _ = try await fixture.library.call("t", "nothing")
        } throws: { error in
            guard let error = error as? LuaScriptError else { return false }
            return error.kind == .contract && error.description == "t.lua: the script has no function 'nothing'"
        }
        await #expect {
            _ = try await fixture.library.call("nope", "run")
        } throws: { error in
            guard let error = error as? LuaScriptError else { return false }
            return error.kind == .contract && error.description == "nope.lua: script 'nope' is not in the script library"
        }
    }

    @Test("a script without a version is refused")
    func missingVersion() async throws {
        await #expect {
            _ = try await ScriptFixture(["t": "return { run = function() end }"])
        } throws: { error in
            guard let error = error as? LuaScriptError else { return false }
            return error.kind == .contract && error.script == "t.lua" && error.message.contains("version")
        }
    }
}
