import LuaHost
import Testing

@Suite("Limits: budget, memory, recursion")
struct LimitTests {
    static let small = LuaLimits(memoryBytes: 4 << 20, instructions: 2_000_000)

    /// After `body` failed, the same state still serves calls.
    func failsThenRecovers(_ body: String, limits: LuaLimits = small) async throws -> LuaScriptError {
        let fixture = try await ScriptFixture(
            ["t": "local M = { version = '1' }\nfunction M.bad()\n\(body)\nend\nfunction M.good() return 'fine' end\nreturn M\n"],
            limits: LuaLimits(memoryBytes: limits.memoryBytes, instructions: limits.instructions, maxStates: 1))
        defer { fixture.remove() }
        var caught: LuaScriptError?
        do {
            _ = try await fixture.library.call("t", "bad")
        } catch {
            caught = error
        }
        #expect(try await fixture.library.call("t", "good") == ["fine"])
        // A second failure on the same state fails the same way: nothing was left switched off.
        do {
            _ = try await fixture.library.call("t", "bad")
            Issue.record("the second call should fail too")
        } catch {
            #expect(error.kind == caught?.kind)
        }
        #expect(try await fixture.library.call("t", "good") == ["fine"])
        return try #require(caught)
    }

    @Test("a runaway loop ends with the budget error")
    func runawayLoop() async throws {
        let error = try await failsThenRecovers("while true do end")
        #expect(error.kind == .budgetExceeded)
        #expect(error.description.contains("instruction budget"))
        #expect(error.script == "t.lua")
        #expect(error.line == 3)
    }

    @Test("pcall cannot swallow the budget")
    func pcallCannotSwallow() async throws {
        let error = try await failsThenRecovers(
            "while true do pcall(function() while true do end end) end")
        #expect(error.kind == .budgetExceeded)
    }

    @Test("xpcall and coroutines cannot swallow the budget either")
    func xpcallAndCoroutines() async throws {
        let error = try await failsThenRecovers(
            """
            while true do
              xpcall(function() while true do end end, function(m) while true do end end)
              local co = coroutine.wrap(function() while true do end end)
              pcall(co)
            end
            """)
        #expect(error.kind == .budgetExceeded)
    }

    @Test("string.rep cannot allocate past the memory limit")
    func stringRepBomb() async throws {
        let error = try await failsThenRecovers("local s = string.rep('x', 1e9)\nreturn s")
        #expect(error.description.contains("memory limit"))
        #expect(error.line == 3)
    }

    @Test("doubling a string hits the memory limit")
    func stringDoubling() async throws {
        let error = try await failsThenRecovers("local s = 'x' while true do s = s .. s end")
        #expect(error.kind == .memoryLimit)
        #expect(error.description.contains("memory limit"))
    }

    @Test("a growing table hits the memory limit")
    func growingTable() async throws {
        let error = try await failsThenRecovers(
            "local t = {} for i = 1, 1e9 do t[i] = i end",
            limits: LuaLimits(memoryBytes: 4 << 20, instructions: 1_000_000_000))
        #expect(error.kind == .memoryLimit)
    }

    @Test("string.format cannot bypass the limit")
    func stringFormat() async throws {
        let error = try await failsThenRecovers(
            "local s = string.rep('x', 1e6) while true do s = string.format('%s%s', s, s) end")
        #expect(error.kind == .memoryLimit)
    }

    @Test("deep recursion ends in an error, not a crash")
    func deepRecursion() async throws {
        let error = try await failsThenRecovers(
            "local function f(n) return f(n + 1) + 1 end return f(1)",
            limits: LuaLimits(memoryBytes: 64 << 20, instructions: 1_000_000_000))
        #expect(error.kind == .runtime || error.kind == .memoryLimit)
        #expect(error.script == "t.lua")
    }

    @Test("deep recursion through C functions ends in an error")
    func deepCRecursion() async throws {
        let error = try await failsThenRecovers(
            "local function f(s) return (string.gsub(s, '.', f)) end return f('x')")
        #expect(error.script == "t.lua")
    }

    @Test("a budget-exhausting script at load time is refused")
    func loadTimeLoop() async throws {
        await #expect(throws: LuaScriptError.self) {
            _ = try await ScriptFixture(["t": "while true do end return { version = '1' }"], limits: Self.small)
        }
    }
}
