@testable import LuaHost
import Testing

/// Calls under a time slice so short that nearly every slice is preempted: the host's own
/// steps (resolving a function) are not, and the call ends with the right results.
@Suite("Lua time slices")
struct TimeSliceTests {
    @Test("with a 1 µs slice, first calls (which resolve their function) and later ones all return; async host functions still work")
    func tinySlice() async throws {
        var limits = LuaLimits()
        limits.inlineSliceMicroseconds = 1
        limits.hookInterval = 1  // the hook (and so the deadline) is looked at on every instruction, the lookup's too
        var functions = LuaHostFunctions()
        functions.registerAsync("mailmon.test.later") { call in
            try await Task.sleep(for: .milliseconds(1))
            return [call[0]]
        }
        let body = """
            local x = 0
            for i = 1, 20000 do x = x + i end
            local y = mailmon.test.later(x)
            for i = 1, 20000 do y = y - i end
            return y
            """
        let fixture = try await ScriptFixture(["a": ScriptFixture.script(body), "b": ScriptFixture.script(body)], limits: limits, functions: functions)
        defer { fixture.remove() }
        for name in ["a", "b", "a", "b"] {
            #expect(try await fixture.library.call(name, "run") == [.integer(0)])
        }
    }
}
