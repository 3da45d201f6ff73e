// make bench: calls per second of a policy-sized Lua function through the runtime's
// interface (ScriptLibrary.call with LuaValue in and out: pool, sandbox, the hop to
// LuaHost's threads) beside the same work done with the raw Lua C API, in the same run.
import CLua
import Foundation
import LuaHost

struct MonitorInput {
    var name: String
    var hostname: String
    var port: Int?
    var status: String
    var checkInterval: Int
    var timeoutSeconds: Int
    var protocolName: String
    var tls: Bool
}

struct MonitorDecision: Equatable {
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
let argument = input.luaValue
if let only = ProcessInfo.processInfo.environment["BENCH_PROFILE"] {
    // For perf: one path in a long loop.
    for _ in 0..<iterations {
        switch only {
        case "empty": _ = try await library.call("bench", "empty")
        default: _ = try await library.call("bench", "decide", [argument])
        }
    }
    return
}
print("LuaHost: policy-sized call (8 fields in, 8 fields out), \(iterations) calls")

let raw = RawLua()
precondition(raw.call(input) == expected)
let rawRate = measureSync("raw C API (baseline), one caller", iterations: iterations) {
    _ = raw.call(input)
}

let first = try await library.call("bench", "decide", [argument])
precondition(MonitorDecision(first.first ?? .nil) == expected)
let valueRate = try await measure("ScriptLibrary.call, LuaValue, one caller", iterations: iterations) {
    _ = MonitorDecision(try await library.call("bench", "decide", [argument]).first ?? .nil)
}
let callers = 8
let start = ContinuousClock.now
try await withThrowingTaskGroup(of: Void.self) { group in
    for _ in 0..<callers {
        group.addTask {
            for _ in 0..<(iterations / callers) { _ = MonitorDecision(try await library.call("bench", "decide", [argument]).first ?? .nil) }
        }
    }
    try await group.waitForAll()
}
let concurrentRate = report("ScriptLibrary.call, LuaValue, \(callers) callers", iterations: iterations / callers * callers, ContinuousClock.now - start)
_ = try await measure("ScriptLibrary.call, no arguments, no results", iterations: iterations) {
    _ = try await library.call("bench", "empty")
}
let best = max(valueRate, concurrentRate)
print(String(format: "LuaValue path / raw C: %.2f one caller, %.2f with %d callers (bar: at least 0.5): %@",
    valueRate / rawRate, concurrentRate / rawRate, callers, best >= rawRate / 2 ? "met" : "NOT met"))
}

extension MonitorInput {
    var luaValue: LuaValue {
        var fields: [String: LuaValue] = [
            "name": .string(name), "hostname": .string(hostname), "status": .string(status),
            "checkInterval": .integer(Int64(checkInterval)), "timeoutSeconds": .integer(Int64(timeoutSeconds)),
            "protocolName": .string(protocolName), "tls": .boolean(tls),
        ]
        if let port { fields["port"] = .integer(Int64(port)) }
        return .table(LuaTable(fields: fields))
    }
}

extension MonitorDecision {
    init?(_ value: LuaValue) {
        guard let table = value.tableValue, let name = table["name"].stringValue, let hostname = table["hostname"].stringValue,
            let port = table["port"].integerValue, let status = table["status"].stringValue,
            let interval = table["checkInterval"].integerValue, let timeout = table["timeoutSeconds"].integerValue,
            let protocolName = table["protocolName"].stringValue, case .boolean(let tls) = table["tls"]
        else { return nil }
        self.init(
            name: name, hostname: hostname, port: Int(port), status: status, checkInterval: Int(interval), timeoutSeconds: Int(timeout),
            protocolName: protocolName, tls: tls)
    }
}

try await runBenchmarks()
