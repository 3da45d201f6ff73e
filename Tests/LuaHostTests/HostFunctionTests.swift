import LuaHost
import Synchronization
import Testing

@Suite("Host functions: synchronous and asynchronous")
struct HostFunctionTests {
    static func functions() -> LuaHostFunctions {
        var functions = LuaHostFunctions()
        functions.register("mailmon.validate.even") { call in
            guard let n = call[0].integerValue else { throw LuaHostError("expected an integer") }
            return [.boolean(n % 2 == 0)]
        }
        functions.registerAsync("mailmon.slow.double") { call in
            try await Task.sleep(for: .milliseconds(20))
            guard let n = call[0].integerValue else { throw LuaHostError("expected an integer") }
            return [.integer(n * 2), .string(call.script ?? "?")]
        }
        functions.registerAsync("mailmon.slow.fail") { _ in
            try await Task.sleep(for: .milliseconds(5))
            throw LuaHostError("server said no")
        }
        return functions
    }

    @Test("a synchronous host function returns values")
    func synchronous() async throws {
        let results = try await ScriptFixture.run("return mailmon.validate.even(4), mailmon.validate.even(3)", functions: Self.functions())
        #expect(results == [true, false])
    }

    @Test("an asynchronous host function is awaited like a plain call")
    func asynchronous() async throws {
        let results = try await ScriptFixture.run(
            "local a, who = mailmon.slow.double(21)\nlocal b = mailmon.slow.double(a)\nreturn a, b, who",
            functions: Self.functions())
        #expect(results == [42, 84, "t.lua"])
    }

    @Test("errors from host functions can be caught with pcall")
    func pcallCatches() async throws {
        let results = try await ScriptFixture.run(
            """
            local ok1, e1 = pcall(mailmon.validate.even, "x")
            local ok2, e2 = pcall(mailmon.slow.fail)
            return ok1, e1, ok2, e2
            """, functions: Self.functions())
        #expect(results[0] == false)
        #expect(results[1].stringValue?.hasSuffix("mailmon.validate.even: expected an integer") == true)
        #expect(results[2] == false)
        #expect(results[3].stringValue?.hasSuffix("mailmon.slow.fail: server said no") == true)
    }

    @Test("an uncaught asynchronous failure points at the calling line")
    func asyncErrorLocation() async throws {
        let error = try #require(await ScriptFixture.failure("local x = 1\n\nmailmon.slow.fail()", functions: Self.functions()))
        #expect(error.description == "t.lua:5: mailmon.slow.fail: server said no")
    }

    @Test("asynchronous calls inside a script coroutine fail clearly")
    func insideCoroutine() async throws {
        let error = try #require(
            await ScriptFixture.failure(
                "local co = coroutine.wrap(function() return mailmon.slow.double(1) end)\nlocal r = co()\nreturn r",
                functions: Self.functions()))
        #expect(error.message.contains("cannot wait"))
    }

    @Test("many tasks call at once: no shared state, no serialization on one state")
    func concurrentCalls() async throws {
        let inFlight = Mutex((now: 0, peak: 0))
        var functions = LuaHostFunctions()
        functions.registerAsync("mailmon.track") { call in
            inFlight.withLock {
                $0.now += 1
                $0.peak = max($0.peak, $0.now)
            }
            try await Task.sleep(for: .milliseconds(10))
            inFlight.withLock { $0.now -= 1 }
            return [call[0]]
        }
        let fixture = try await ScriptFixture(
            ["t": "return { version = '1', run = function(n) local seen = mailmon.track(n) return seen * 10 + n end }"],
            limits: LuaLimits(maxStates: 32), functions: functions)
        defer { fixture.remove() }
        let sum = try await withThrowingTaskGroup(of: Int64.self) { group in
            for n in 0..<400 {
                group.addTask {
                    let result = try await fixture.library.call("t", "run", [.integer(Int64(n))])
                    #expect(result == [.integer(Int64(n) * 11)])
                    return result.first?.integerValue ?? 0
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(sum == (0..<400).reduce(0) { $0 + Int64($1) * 11 })
        let peak = inFlight.withLock { $0.peak }
        #expect(peak > 1, "calls overlapped across states")
        #expect(peak <= 32, "never more states than the limit")
    }

    @Test("a library call from inside an asynchronous host function gets a state even when its caller holds the last one")
    func nestedCallNeverWaitsOnItsOwnState() async throws {
        let library = Mutex<ScriptLibrary?>(nil)
        var functions = LuaHostFunctions()
        // As mailmon.check.* resolves the default port through lib/ports while a hook waits on it.
        functions.registerAsync("mailmon.nested") { call in
            guard let library = library.withLock({ $0 }) else { throw LuaHostError("no library") }
            return try await library.call("t", "inner", [call[0]])
        }
        let fixture = try await ScriptFixture(
            ["t": "return { version = '1', run = function(n) return mailmon.nested(n) + 1 end, inner = function(n) return n * 2 end }"],
            limits: LuaLimits(maxStates: 1), functions: functions)
        defer { fixture.remove() }
        library.withLock { $0 = fixture.library }
        // Without the rule the call waits forever for the one state, which its own caller holds.
        let outcome = await ScriptFixture.withDeadline { try await fixture.library.call("t", "run", [.integer(20)]) }
        #expect(outcome == [.integer(41)], "the nested call did not complete")
        // The pool still holds one state and serves the next call.
        #expect(try await fixture.library.call("t", "inner", [.integer(3)]) == [.integer(6)])
    }
}
