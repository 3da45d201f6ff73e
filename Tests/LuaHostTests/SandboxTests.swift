import LuaHost
import Testing

@Suite("Sandbox: what scripts cannot reach")
struct SandboxTests {
    @Test(
        "escapes fail with an error",
        arguments: [
            "return io.open('/etc/passwd')",
            "return os.execute('true')",
            "return os.getenv('HOME')",
            "return os.remove('/tmp/x')",
            "return os.exit(1)",
            "local m = require 'os'",
            "local m = require 'io'",
            "return package.loadlib('libc.so.6', 'system')",
            "return debug.getregistry()",
            "return debug.sethook()",
            "return dofile('/etc/passwd')",
            "return loadfile('/etc/passwd')",
            "local f = function() return 1 end; return load(string.dump(f))()",
            "return (''):dump()",
            "return collectgarbage('stop')",
            "getmetatable('').__index = { upper = function() return 'pwned' end }",
            "return setmetatable('', {})",
            "return setmetatable({}, { __gc = function() while true do end end })",
        ])
    func escapeFails(body: String) async throws {
        let error = try await ScriptFixture.failure(body)
        #expect(error != nil, "\(body) should fail")
        #expect(error?.script == "t.lua")
    }

    @Test(
        "the dangerous names are absent, not merely failing",
        arguments: [
            ("return io.open('/etc/passwd')", "undefined global 'io'"),
            ("return package.loadlib('libc.so.6', 'system')", "undefined global 'package'"),
            ("return debug.getregistry()", "undefined global 'debug'"),
            ("return dofile('/etc/passwd')", "undefined global 'dofile'"),
            ("return loadfile('/etc/passwd')", "undefined global 'loadfile'"),
            ("return os.execute('true')", "field 'execute'"),
            ("return os.getenv('HOME')", "field 'getenv'"),
            ("return os.remove('/tmp/x')", "field 'remove'"),
            ("return os.exit(1)", "field 'exit'"),
        ])
    func escapeNamesAbsent(body: String, expected: String) async throws {
        let error = try await ScriptFixture.failure(body)
        #expect(error?.message.contains(expected) == true, "\(body): \(error?.message ?? "no error")")
    }

    @Test("C loops the instruction budget cannot reach are refused or cut short")
    func cLoops() async throws {
        // Without the guards both loop in C until the deadline.
        let empty = await ScriptFixture.withDeadline { try await ScriptFixture.run("return string.rep('', math.maxinteger), ('x'):rep(3)") }
        #expect(empty == ["", "xxx"])
        let move = try #require(await ScriptFixture.withDeadline { try await ScriptFixture.failure("return table.move({}, 1, 1e15, 2)") } ?? nil)
        #expect(move.message.contains("table.move") && move.message.contains("memory limit"))
        let small = try await ScriptFixture.run("local t = table.move({1, 2, 3}, 1, 3, 2) return #t, t[4]")
        #expect(small == [.integer(4), .integer(3)])
    }

    @Test("binary chunks are refused by load")
    func binaryChunks() async throws {
        let results = try await ScriptFixture.run("return load('\\27Lua\\84\\0')")
        #expect(results.first == .nil)
        #expect(results.dropFirst().first?.stringValue?.contains("binary chunk") == true)
    }

    @Test("text chunks load in the script's own environment")
    func textChunks() async throws {
        let results = try await ScriptFixture.run("return load('return string.upper(...)')('ok')")
        #expect(results == ["OK"])
    }

    @Test("the string metatable stays hidden and intact")
    func stringMetatable() async throws {
        let results = try await ScriptFixture.run("return getmetatable(''), ('abc'):upper()")
        #expect(results == [false, "ABC"])
    }

    @Test("allowed libraries are there")
    func allowedLibraries() async throws {
        let results = try await ScriptFixture.run(
            """
            return type(os.time()), math.type(math.maxinteger), utf8.char(228), table.concat({'a', 'b'}, ','),
              coroutine.wrap(function() coroutine.yield(7) end)(), os.date('!%Y', 0), type(os.clock())
            """)
        #expect(results == ["number", "integer", "ä", "a,b", 7, "1970", "number"])
    }

    @Test("globals are strict: unknown reads and new writes fail")
    func strictGlobals() async throws {
        let read = try await ScriptFixture.failure("return undefined_thing")
        #expect(read?.message.contains("undefined global 'undefined_thing'") == true)
        let write = try await ScriptFixture.failure("leaked = 1")
        #expect(write?.message.contains("assignment to undefined global 'leaked'") == true)
    }

    @Test("one script cannot change another's libraries")
    func isolatedEnvironments() async throws {
        let fixture = try await ScriptFixture([
            "a": ScriptFixture.script("string.upper = function() return 'pwned' end; math.pi = 3"),
            "b": ScriptFixture.script("return string.upper('x'), math.pi > 3.14"),
        ])
        defer { fixture.remove() }
        _ = try await fixture.library.call("a", "run")
        #expect(try await fixture.library.call("b", "run") == ["X", true])
    }

    @Test("require resolves modules of the library only")
    func requireLibraryModules() async throws {
        let fixture = try await ScriptFixture([
            "lib/util": "return { version = '1', twice = function(x) return 2 * x end }",
            "main": ScriptFixture.script("return require('lib/util').twice(21)"),
        ])
        defer { fixture.remove() }
        #expect(try await fixture.library.call("main", "run") == [42])
    }
}
