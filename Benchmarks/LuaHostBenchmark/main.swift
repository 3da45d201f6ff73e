// make bench: calls per second of a policy-sized Lua function through the full
// LuaHost wrapper (pool, sandbox, Codable both ways) beside the same work done
// with the raw Lua C API, in the same run.
import CLua
import Foundation
import LuaHost

struct MonitorInput: Codable {
    var name: String
    var hostname: String
    var port: Int?
    var status: String
    var checkInterval: Int
    var timeoutSeconds: Int
    var protocolName: String
    var tls: Bool
}

struct MonitorDecision: Codable, Equatable {
    var name: String
    var hostname: String
    var port: Int
    var status: String
    var checkInterval: Int
    var timeoutSeconds: Int
    var protocolName: String
    var tls: Bool
}

let policy = """
    local M = { version = "1" }
    function M.decide(m)
      local status = m.status
      if status == "paused" or status == "inactive" then status = "disabled" end
      return { name = m.name, hostname = m.hostname, port = m.port or (m.tls and 993 or 143), status = status,
               checkInterval = m.checkInterval, timeoutSeconds = m.timeoutSeconds,
               protocolName = m.protocolName, tls = m.tls }
    end
    function M.empty() end
    return M
    """

let input = MonitorInput(
    name: "Mailbox Access", hostname: "mail.example.com", port: nil, status: "paused", checkInterval: 30,
    timeoutSeconds: 30, protocolName: "imap", tls: true)
let expected = MonitorDecision(
    name: "Mailbox Access", hostname: "mail.example.com", port: 993, status: "disabled", checkInterval: 30,
    timeoutSeconds: 30, protocolName: "imap", tls: true)

func report(_ label: String, iterations: Int, _ elapsed: Duration) -> Double {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = Double(iterations) / seconds
    print(String(format: "%-44@ %10.0f calls/s  %7.3f µs/call", label as NSString, rate, 1e6 / rate))
    return rate
}

/// Times `body` in a loop; the loop itself is async, as every caller of the library is.
nonisolated func measure(_ label: String, iterations: Int, _ body: () async throws -> Void) async rethrows -> Double {
    for _ in 0..<(iterations / 10) { try await body() }  // warm-up
    let start = ContinuousClock.now
    for _ in 0..<iterations { try await body() }
    return report(label, iterations: iterations, ContinuousClock.now - start)
}

nonisolated func measureSync(_ label: String, iterations: Int, _ body: () -> Void) -> Double {
    for _ in 0..<(iterations / 10) { body() }
    let start = ContinuousClock.now
    for _ in 0..<iterations { body() }
    return report(label, iterations: iterations, ContinuousClock.now - start)
}

// MARK: Raw C API baseline: the same table in, the same table out, by hand.

final class RawLua {
    let L: OpaquePointer

    init() {
        L = luaL_newstate()
        luaL_openlibs(L)
        _ = policy.withCString { mm_loadbuffer(L, $0, strlen($0), "=bench.lua", "t") }
        _ = mm_pcall(L, 0, 1, 0)
        lua_getfield(L, -1, "decide")
        lua_copy(L, -1, 1)
        lua_settop(L, 1)
    }

    deinit { lua_close(L) }

    func setString(_ key: String, _ value: String) {
        lua_pushstring(L, value)
        lua_setfield(L, -2, key)
    }

    func setInteger(_ key: String, _ value: Int) {
        lua_pushinteger(L, lua_Integer(value))
        lua_setfield(L, -2, key)
    }

    func string(_ key: String) -> String {
        lua_getfield(L, -1, key)
        defer { mm_pop(L, 1) }
        return String(cString: mm_tostring(L, -1))
    }

    func integer(_ key: String) -> Int {
        lua_getfield(L, -1, key)
        defer { mm_pop(L, 1) }
        return Int(mm_tointeger(L, -1))
    }

    func call(_ m: MonitorInput) -> MonitorDecision {
        lua_pushvalue(L, 1)
        lua_createtable(L, 0, 8)
        setString("name", m.name)
        setString("hostname", m.hostname)
        if let port = m.port { setInteger("port", port) }
        setString("status", m.status)
        setInteger("checkInterval", m.checkInterval)
        setInteger("timeoutSeconds", m.timeoutSeconds)
        setString("protocolName", m.protocolName)
        lua_pushboolean(L, m.tls ? 1 : 0)
        lua_setfield(L, -2, "tls")
        guard mm_pcall(L, 1, 1, 0) == LUA_OK else { fatalError(String(cString: mm_tostring(L, -1))) }
        lua_getfield(L, -1, "tls")
        let tls = lua_toboolean(L, -1) != 0
        mm_pop(L, 1)
        let result = MonitorDecision(
            name: string("name"), hostname: string("hostname"), port: integer("port"), status: string("status"),
            checkInterval: integer("checkInterval"), timeoutSeconds: integer("timeoutSeconds"),
            protocolName: string("protocolName"), tls: tls)
        lua_settop(L, 1)
        return result
    }
}

// MARK: Run (off the main actor: top-level code is main-actor isolated, and hopping back per call would be measured)

nonisolated func runBenchmarks() async throws {
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("luahost-bench-\(getpid())")
try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: directory) }
try policy.write(to: directory.appendingPathComponent("bench.lua"), atomically: true, encoding: .utf8)
let library = ScriptLibrary(directory: directory.path)
try await library.reload()

let iterations = Int(ProcessInfo.processInfo.environment["BENCH_ITERATIONS"] ?? "") ?? 300_000
if let only = ProcessInfo.processInfo.environment["BENCH_PROFILE"] {
    // For perf: one path in a long loop.
    let encoded = try LuaValueEncoder().encode(input)
    for _ in 0..<iterations {
        switch only {
        case "encode": _ = try LuaValueEncoder().encode(input)
        case "decode": _ = try LuaValueDecoder().decode(MonitorInput.self, from: encoded)
        case "empty": _ = try await library.call("bench", "empty")
        case "codable": _ = try await library.call("bench", "decide", with: input, as: MonitorDecision.self)
        default: _ = try await library.call("bench", "decide", [encoded])
        }
    }
    return
}
print("LuaHost: policy-sized call (8 fields in, 8 fields out), \(iterations) calls, one task")

let raw = RawLua()
precondition(raw.call(input) == expected)
let rawRate = measureSync("raw C API (baseline)", iterations: iterations) {
    _ = raw.call(input)
}

let first = try await library.call("bench", "decide", with: input, as: MonitorDecision.self)
precondition(first == expected)
let wrapperRate = try await measure("ScriptLibrary.call, Codable in and out", iterations: iterations) {
    _ = try await library.call("bench", "decide", with: input, as: MonitorDecision.self)
}

let valueArgument = try LuaValueEncoder().encode(input)
let valueRate = try await measure("ScriptLibrary.call, LuaValue in and out", iterations: iterations) {
    _ = try await library.call("bench", "decide", [valueArgument])
}

_ = try await measure("ScriptLibrary.call, no arguments, no results", iterations: iterations) {
    _ = try await library.call("bench", "empty")
}
let encoded = try LuaValueEncoder().encode(input)
_ = try measureSync("LuaValueEncoder alone", iterations: iterations) {
    _ = try? LuaValueEncoder().encode(input)
}
_ = measureSync("LuaValueDecoder alone", iterations: iterations) {
    _ = try? LuaValueDecoder().decode(MonitorInput.self, from: encoded)
}
let ratio = rawRate / wrapperRate
print(String(format: "wrapper/raw: %.2fx slower (bar: within 3x); LuaValue path %.2fx", ratio, rawRate / valueRate))
print(String(format: "bar 500000 calls/s: %@", wrapperRate >= 500_000 ? "met" : "NOT met"))
}

try await runBenchmarks()
