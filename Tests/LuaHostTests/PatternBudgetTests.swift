import Foundation
@testable import LuaHost
import Synchronization
import Testing

@Suite("Pattern matching is bounded, and scripts run off the cooperative pool")
struct PatternBudgetTests {
    // MARK: Pattern bounds

    @Test("a pattern that would backtrack for seconds is refused at once, naming the script and line")
    func costlyPatternIsRefused() async throws {
        // Unbounded, this find takes over 6 s in C, where the instruction budget cannot reach.
        let error = try #require(
            await ScriptFixture.failure("local s = string.rep('a', 300)\nlocal i = s:find('.-.-.-b')\nreturn i"))
        #expect(error.kind == .runtime)
        #expect(error.script == "t.lua")
        #expect(error.line == 4)
        #expect(error.message.contains("pattern too costly for a subject of 300 bytes"))
        #expect(error.message.contains(".-.-.-b"))
        #expect(error.description.hasPrefix("t.lua:4: string.find: pattern too costly"))
    }

    @Test(
        "find, match, gmatch and gsub are all bounded, called as functions or as methods",
        arguments: [
            "local r = string.find(s, '.-.-.-b')", "local r = s:find('.-.-.-b')",
            "local r = string.match(s, '(.-)(.-)(.-)b')", "local r = s:match('(.-)(.-)(.-)b')",
            "local r = string.gmatch(s, '.-.-.-b')", "local r = s:gmatch('.-.-.-b')",
            "local r = string.gsub(s, '.-.-.-b', '')", "local r = s:gsub('.-.-.-b', '')",
        ])
    func everyFormIsBounded(_ line: String) async throws {
        let error = try #require(await ScriptFixture.failure("local s = string.rep('a', 300)\n\(line)\nreturn r"))
        #expect(error.script == "t.lua")
        #expect(error.line == 4)
        #expect(error.message.contains("pattern too costly"))
    }

    @Test("the method form reaches the same bounded function as the library table")
    func methodFormIsTheWrapper() async throws {
        let results = try await ScriptFixture.run("return ('').find == string.find, ('').gsub == string.gsub, getmetatable('')")
        #expect(results == [.boolean(true), .boolean(true), .boolean(false)])
    }

    @Test("a script can catch the refusal with pcall and carry on")
    func refusalIsCatchable() async throws {
        let results = try await ScriptFixture.run(
            "local ok, err = pcall(string.find, string.rep('a', 300), '.-.-.-b')\nreturn ok, err:find('pattern too costly', 1, true) ~= nil")
        #expect(results == [.boolean(false), .boolean(true)])
    }

    @Test("the patterns policies use still work, on realistic sizes")
    func typicalPatternsWork() async throws {
        let body = """
            local name = "  " .. string.rep("Mailbox monitor ", 13):sub(1, 196) .. "  "
            local blank = string.rep(" ", 200)
            local text = string.rep("The quick brown fox  jumps over\\tthe lazy dog. ", 100)
            local words = 0
            for _ in text:gmatch("%w+") do words = words + 1 end
            local also = 0
            for _ in string.gmatch(text, "%a+") do also = also + 1 end
            local collapsed, runs = text:gsub("%s+", " ")
            local trimmed = name:match("^%s*(.-)%s*$")
            local host = "mail.example-host.co.uk"
            local labels_ok = true
            for label in host:gmatch("[^.]+") do
              if not (label:find("^%w[%w%-]*%w$") or label:find("^%w$")) then labels_ok = false end
            end
            local y, mo, d = string.match("2026-11-25T07:08:09Z", "^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)")
            local key, value = ("timeout = 30"):match("^(%w+)%s*=%s*(%w+)$")
            return blank:match("^%s*$") ~= nil, name:match("^%s*$") == nil, #trimmed, trimmed:sub(1, 7),
              words, also, runs, #collapsed < #text, labels_ok, host:match("^[%w]([%w%-]*)%.([%w%.%-]+)$"),
              y, mo, d, key, value, ("a.b"):find(".", 1, true), (string.rep("a", 300):find(".-.-.-b", 1, true))
            """
        let results = try await ScriptFixture.run(body)
        #expect(
            results == [
                .boolean(true), .boolean(true), .integer(196), .string("Mailbox"),
                .integer(900), .integer(900), .integer(900), .boolean(true), .boolean(true), .string("ail"),
                .string("2026"), .string("11"), .string("25"), .string("timeout"), .string("30"), .integer(2), .nil,
            ])
    }

    @Test("the step limit is a setting: a smaller one refuses what the default allows")
    func stepLimitIsConfigurable() async throws {
        let body = "local s = string.rep('a', 200)\nlocal i = s:find('a-b')\nreturn i == nil"
        #expect(try await ScriptFixture.run(body) == [.boolean(true)])
        let error = try #require(await ScriptFixture.failure(body, limits: LuaLimits(patternSteps: 1_000)))
        #expect(error.line == 4)
        #expect(error.message.contains("limit 1000 steps"))
    }

    @Test("an over-long pattern is refused; a plain find of any needle is not")
    func patternLength() async throws {
        let error = try #require(await ScriptFixture.failure("local p = string.rep('a.', 300)\nlocal i = ('x'):find(p)\nreturn i"))
        #expect(error.line == 4)
        #expect(error.message.contains("a pattern of 600 bytes is over the limit of 512 bytes"))
        let results = try await ScriptFixture.run("local p = string.rep('a.', 300)\nreturn (('x' .. p):find(p, 1, true))")
        #expect(results == [.integer(2)])
    }

    @Test("the library's own errors still point at the calling line")
    func libraryErrorsKeepTheirLine() async throws {
        let malformed = try #require(await ScriptFixture.failure("local s = 'xbc'\nlocal i = s:find('x[')\nreturn i"))
        #expect(malformed.script == "t.lua")
        #expect(malformed.line == 4)
        #expect(malformed.message.contains("malformed pattern"))
        let badArgument = try #require(await ScriptFixture.failure("local t = {}\nlocal i = string.match(t, 'x')\nreturn i"))
        #expect(badArgument.line == 4)
        #expect(badArgument.message.contains("bad argument #1 to 'match'"))
        let inCallback = try #require(
            await ScriptFixture.failure("local r = ('abc'):gsub('b', function()\n  error('boom')\nend)\nreturn r"))
        #expect(inCallback.line == 4)
        #expect(inCallback.message == "boom")
    }

    // MARK: Where scripts run

    @Test("a call starts on the caller's thread; past its time slice the rest runs on the Lua threads")
    func slowScriptsMoveToLuaThreads() async throws {
        let names = Mutex<[String]>([])
        var functions = LuaHostFunctions()
        functions.register("mailmon.test.thread") { _ in
            names.withLock { $0.append(LuaThreads.isCurrentThreadLuaThread ? "mailmon-lua-" : "caller") }
            return []
        }
        let body = """
            mailmon.test.thread()
            local x = 0
            for i = 1, 1000000 do x = x + i end
            mailmon.test.thread()
            return 1
            """
        let fixture = try await ScriptFixture(["t": ScriptFixture.script(body)], functions: functions)
        defer { fixture.remove() }
        #expect(try await fixture.library.call("t", "run") == [.integer(1)])
        let seen = names.withLock { $0 }
        #expect(seen.count == 2)
        #expect(seen.first?.hasPrefix("mailmon-lua-") == false, "a call starts where it was made: \(seen)")
        #expect(seen.last?.hasPrefix("mailmon-lua-") == true, "after a million iterations (past 1 ms) it runs on a Lua thread: \(seen)")
    }

    @Test("with no time slice every call runs on the Lua threads")
    func noInlineSlice() async throws {
        let names = Mutex<[String]>([])
        var functions = LuaHostFunctions()
        functions.register("mailmon.test.thread") { _ in
            names.withLock { $0.append(LuaThreads.isCurrentThreadLuaThread ? "mailmon-lua-" : "caller") }
            return []
        }
        var limits = LuaLimits()
        limits.inlineSliceMicroseconds = 0
        let fixture = try await ScriptFixture(["t": ScriptFixture.script("mailmon.test.thread() return 1")], limits: limits, functions: functions)
        defer { fixture.remove() }
        #expect(try await fixture.library.call("t", "run") == [.integer(1)])
        #expect(names.withLock { $0 }.allSatisfy { $0.hasPrefix("mailmon-lua-") }, "\(names.withLock { $0 })")
    }

    @Test("more CPU-heavy calls than there are threads leave the cooperative pool free to run other tasks")
    func heavyScriptsLeaveThePoolFree() async throws {
        // More Lua threads than the cooperative pool has (one per core), and a count no other
        // test uses, so these threads are this test's alone. Were scripts run on the cooperative
        // pool, these calls would occupy all of it, the test could not go on, and each script would
        // give up with "never released" after its rounds (several seconds).
        let threads = LuaLimits.defaultScriptThreads + 1
        let calls = threads + 2
        let started = AsyncStream<Void>.makeStream()
        let released = Mutex(false)
        let events = EventLog()
        var functions = LuaHostFunctions()
        functions.register("mailmon.test.started") { _ in
            started.continuation.yield()
            return []
        }
        functions.register("mailmon.test.released") { _ in [.boolean(released.withLock { $0 })] }
        // Each round is about a millisecond of pattern matching in C, which the instruction
        // budget does not see and the pattern bound allows.
        let body = """
            mailmon.test.started()
            local s = string.rep('a', 500)
            for round = 1, 5000 do
              if mailmon.test.released() then return round end
              local i = s:find('a-b')
            end
            error('never released')
            """
        let fixture = try await ScriptFixture(
            ["t": ScriptFixture.script(body)], limits: LuaLimits(scriptThreads: threads), functions: functions)
        defer { fixture.remove() }
        let library = fixture.library
        let outcome = await ScriptFixture.withDeadline(seconds: 120) { () async throws -> [Int64] in
            try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<calls {
                    group.addTask {
                        let result = try await library.call("t", "run")
                        events.append("call returned")
                        return result.first?.integerValue ?? 0
                    }
                }
                // Every Lua thread is now inside a script that spins until released...
                var iterator = started.stream.makeAsyncIterator()
                for _ in 0..<threads { _ = await iterator.next() }
                // ...and a plain task on the cooperative pool still runs.
                await Task { events.append("task ran") }.value
                released.withLock { $0 = true }
                var rounds: [Int64] = []
                for try await round in group { rounds.append(round) }
                return rounds
            }
        }
        let rounds = try #require(outcome, "the calls failed or did not finish")
        #expect(rounds.count == calls)
        #expect(rounds.allSatisfy { $0 >= 1 })
        let order = events.entries
        #expect(order.first == "task ran", "the task ran while every Lua thread was busy: \(order)")
        #expect(order.count == calls + 1)
    }
}

/// What happened, in order, across tasks and threads.
private final class EventLog: Sendable {
    private let list = Mutex<[String]>([])
    func append(_ event: String) { list.withLock { $0.append(event) } }
    var entries: [String] { list.withLock { $0 } }
}
