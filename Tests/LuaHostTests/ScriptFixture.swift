import Foundation
import LuaHost
import Synchronization

/// A temporary script directory with a library over it.
struct ScriptFixture {
    let directory: URL
    let library: ScriptLibrary

    init(
        _ scripts: [String: String], limits: LuaLimits = LuaLimits(), functions: LuaHostFunctions = LuaHostFunctions()
    ) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("luahost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        library = ScriptLibrary(directory: directory.path, limits: limits, hostFunctions: functions)
        for (name, source) in scripts { try write(name, source) }
        try await library.reload()
    }

    func write(_ name: String, _ source: String) throws {
        let url = directory.appendingPathComponent(name + ".lua")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try source.write(to: url, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Runs `body` as function `run` of a script `t`; returns its results.
    static func run(
        _ body: String, limits: LuaLimits = LuaLimits(), functions: LuaHostFunctions = LuaHostFunctions()
    ) async throws -> [LuaValue] {
        let fixture = try await ScriptFixture(["t": script(body)], limits: limits, functions: functions)
        defer { fixture.remove() }
        return try await fixture.library.call("t", "run")
    }

    /// A script whose `run` function has `body`, starting at line 3.
    static func script(_ body: String, version: String = "1") -> String {
        "local M = { version = \"\(version)\" }\nfunction M.run(...)\n\(body)\nend\nreturn M\n"
    }

    /// The error `body` raises.
    static func failure(
        _ body: String, limits: LuaLimits = LuaLimits(), functions: LuaHostFunctions = LuaHostFunctions()
    ) async throws -> LuaScriptError? {
        do {
            _ = try await run(body, limits: limits, functions: functions)
            return nil
        } catch let error as LuaScriptError {
            return error
        }
    }

    /// `body`'s value, or nil when it failed or has not finished within `seconds`: a regression
    /// that would loop in C or wait forever then fails its test instead of hanging the suite.
    static func withDeadline<T: Sendable>(seconds: Int = 60, _ body: @escaping @Sendable () async throws -> T) async -> T? {
        await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
            let resumed = Mutex(false)
            let finish: @Sendable (T?) -> Void = { value in
                if resumed.withLock({ done in defer { done = true }; return !done }) { continuation.resume(returning: value) }
            }
            Task { finish(try? await body()) }
            Task {
                try? await Task.sleep(for: .seconds(seconds))
                finish(nil)
            }
        }
    }
}
