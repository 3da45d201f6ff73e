import Foundation
public import Logging
import Synchronization

/// The versioned script library: loads a directory of Lua scripts, checks and
/// activates them as one set, and runs their functions in pooled sandboxes.
///
/// `reload()` is atomic: every script is compiled, run and self-tested in a
/// fresh state first; if anything fails, the active set stays and the error
/// names the file and line. Calls in flight finish on the set they started with.
public final class ScriptLibrary: Sendable {
    public let directory: String
    private let limits: LuaLimits
    private let hostFunctions: LuaHostFunctions
    private let ledger: (any ScriptVersionLedger)?
    private let required: [String: [String]]
    private let state = Mutex(LibraryState())
    private let reloads = ReloadGate()
    private let observer: (any ScriptCallObserver)?

    private struct LibraryState {
        var generation: Generation?
        var counter = 0
        /// `name@version` → sha256 of every version active in this process.
        var seen: [String: String] = [:]
    }

    private final class Generation: Sendable {
        let number: Int
        let scripts: [ScriptSource]
        let infos: [ScriptInfo]
        let pool: LuaStatePool

        init(number: Int, scripts: [ScriptSource], infos: [ScriptInfo], pool: LuaStatePool) {
            self.number = number
            self.scripts = scripts
            self.infos = infos
            self.pool = pool
        }
    }

    /// `required`: script name → functions its returned table must hold; a set that lacks
    /// one is refused (the host's entry points, so a reload cannot remove them).
    public init(
        directory: String,
        limits: LuaLimits = LuaLimits(),
        hostFunctions: LuaHostFunctions = LuaHostFunctions(),
        ledger: (any ScriptVersionLedger)? = nil,
        required: [String: [String]] = [:],
        logger: Logger = Logger(label: "mailmon.lua"),
        observer: (any ScriptCallObserver)? = nil
    ) {
        self.observer = observer
        self.directory = directory
        self.limits = limits
        self.hostFunctions = Self.withBuiltins(hostFunctions, logger: logger)
        self.ledger = ledger
        self.required = required
    }

    /// The active scripts, by name.
    public var active: [ScriptInfo] { state.withLock { $0.generation?.infos ?? [] } }

    /// Increases with every set that becomes active; 0 before the first.
    public var generation: Int { state.withLock { $0.generation?.number ?? 0 } }

    /// Reads the directory again and activates it if every script passes.
    @discardableResult
    public func reload() async throws(LuaScriptError) -> [ScriptInfo] {
        await reloads.enter()
        defer { reloads.leave() }
        return try await activateInOrder(try ScriptSource.load(directory: directory))
    }

    /// Activates `sources` as the new set if every script compiles, declares a
    /// version, passes its selftest and keeps the version rule.
    @discardableResult
    public func activate(_ sources: [ScriptSource]) async throws(LuaScriptError) -> [ScriptInfo] {
        await reloads.enter()
        defer { reloads.leave() }
        return try await activateInOrder(sources)
    }

    private func activateInOrder(_ sources: [ScriptSource]) async throws(LuaScriptError) -> [ScriptInfo] {
        let current = state.withLock { $0.generation }
        if let current, current.scripts == sources { return current.infos }
        let metadata = try await Self.validate(sources, limits: limits, hostFunctions: hostFunctions, required: required)
        let now = Date()
        let infos = sources.map { source in
            let previous = current?.infos.first { $0.name == source.name && $0.sha256 == source.sha256 }
            return ScriptInfo(
                name: source.name, version: metadata[source.name]!.version, sha256: source.sha256,
                loadedAt: previous?.loadedAt ?? now, hasSelftest: metadata[source.name]!.hasSelftest)
        }
        try await checkLedger(infos)
        let limits = self.limits
        let hostFunctions = self.hostFunctions
        try state.withLock { (state) throws(LuaScriptError) in
            for info in infos {
                if let seen = state.seen[Self.key(info)], seen != info.sha256 { throw Self.bumpVersion(info) }
            }
            for info in infos { state.seen[Self.key(info)] = info.sha256 }
            state.counter += 1
            let pool = LuaStatePool(capacity: limits.maxStates) { () async throws(LuaScriptError) in
                try await LuaSandbox.make(scripts: sources, limits: limits, hostFunctions: hostFunctions)
            }
            state.generation = Generation(number: state.counter, scripts: sources, infos: infos, pool: pool)
        }
        if let ledger {
            do {
                try await ledger.record(infos)
            } catch {
                throw LuaScriptError(kind: .version, message: "the scripts are active but the version ledger failed: \(error)")
            }
        }
        return infos
    }

    /// Compiles, runs and self-tests every script of `directory` without activating anything:
    /// what `mailmon scripts check` does. `required`: as for `init`.
    public static func check(
        directory: String, limits: LuaLimits = LuaLimits(), hostFunctions: LuaHostFunctions = LuaHostFunctions(),
        required: [String: [String]] = [:]
    ) async throws(LuaScriptError) -> [ScriptInfo] {
        let sources = try ScriptSource.load(directory: directory)
        let metadata = try await validate(
            sources, limits: limits, hostFunctions: withBuiltins(hostFunctions, logger: Logger(label: "mailmon.lua")), required: required)
        let now = Date()
        return sources.map {
            ScriptInfo(
                name: $0.name, version: metadata[$0.name]!.version, sha256: $0.sha256, loadedAt: now,
                hasSelftest: metadata[$0.name]!.hasSelftest)
        }
    }

    /// Calls `function` of `script` (a name such as `policies/monitor_create`) and returns its results.
    public func call(_ script: String, _ function: String, _ arguments: [LuaValue] = []) async throws(LuaScriptError) -> [LuaValue] {
        try await observed(script, function) { () async throws(LuaScriptError) in
            try await activePool().withSandbox { (sandbox) throws(LuaScriptError) in
                try await sandbox.call(script, function, arguments)
            }
        }
    }

    /// Calls `function` of `script` and returns its results with the version of `script`
    /// in the set that ran the call: a reload in between cannot pair one with the other.
    public func callVersioned(
        _ script: String, _ function: String, _ arguments: [LuaValue] = []
    ) async throws(LuaScriptError) -> (results: [LuaValue], version: String?) {
        try await observed(script, function) { () async throws(LuaScriptError) in
            try await activePool().withSandbox { (sandbox) throws(LuaScriptError) in
                (try await sandbox.call(script, function, arguments), sandbox.metadata[script]?.version)
            }
        }
    }

    /// Runs `body` and tells the observer (if any) how long it took and whether it failed.
    private func observed<T>(
        _ script: String, _ function: String, _ body: () async throws(LuaScriptError) -> T
    ) async throws(LuaScriptError) -> T {
        guard let observer else { return try await body() }
        let start = ContinuousClock.now
        do {
            let value = try await body()
            observer.scriptCalled(script: script, function: function, duration: ContinuousClock.now - start, failed: false)
            return value
        } catch {
            observer.scriptCalled(script: script, function: function, duration: ContinuousClock.now - start, failed: true)
            throw error
        }
    }

    // MARK: Internals

    /// The pool of the active generation; calls keep it for their whole run.
    private func activePool() throws(LuaScriptError) -> LuaStatePool {
        guard let generation = state.withLock({ $0.generation }) else {
            throw LuaScriptError(kind: .contract, message: "no scripts are active; reload() first")
        }
        return generation.pool
    }

    private static func validate(
        _ sources: [ScriptSource], limits: LuaLimits, hostFunctions: LuaHostFunctions, required: [String: [String]]
    ) async throws(LuaScriptError) -> [String: LuaState.ScriptMetadata] {
        let sandbox = try await LuaSandbox.make(scripts: sources, limits: limits, hostFunctions: hostFunctions)
        for (name, functions) in required.sorted(by: { $0.key < $1.key }) {
            guard let metadata = sandbox.metadata[name] else {
                throw LuaScriptError(
                    kind: .contract, script: name + ".lua", message: "the script is missing; the host calls it, so a set without it is refused")
            }
            for function in functions.sorted() where !metadata.functions.contains(function) {
                throw LuaScriptError(
                    kind: .contract, script: name + ".lua",
                    message: "the returned table has no function '\(function)', which the host calls")
            }
        }
        for source in sources where sandbox.metadata[source.name]?.hasSelftest == true {
            let results: [LuaValue]
            do {
                results = try await sandbox.call(source.name, "selftest", [])
            } catch {
                var error = error
                error.message = "selftest failed: " + error.message
                if error.script == nil { error.script = source.file }
                throw error
            }
            if results.first == .boolean(false) {
                throw LuaScriptError(kind: .runtime, script: source.file, message: "selftest failed: it returned false")
            }
        }
        return sandbox.metadata
    }

    private func checkLedger(_ infos: [ScriptInfo]) async throws(LuaScriptError) {
        guard let ledger else { return }
        for info in infos {
            let recorded: String?
            do {
                recorded = try await ledger.digest(of: info.name, version: info.version)
            } catch {
                throw LuaScriptError(kind: .version, script: info.file, message: "the version ledger failed: \(error)")
            }
            if let recorded, recorded != info.sha256 { throw Self.bumpVersion(info) }
        }
    }

    private static func key(_ info: ScriptInfo) -> String { info.name + "@" + info.version }

    private static func bumpVersion(_ info: ScriptInfo) -> LuaScriptError {
        LuaScriptError(
            kind: .version, script: info.file,
            message: "the source changed but its version \(info.version) did not; bump the version")
    }

    /// `hostFunctions` plus the built-in `print`.
    private static func withBuiltins(_ hostFunctions: LuaHostFunctions, logger: Logger) -> LuaHostFunctions {
        var functions = LuaHostFunctions()
        functions.register("print") { call in
            let text = call.arguments.map { $0.stringValue ?? $0.description }.joined(separator: "\t")
            logger.info(
                "\(text)", metadata: ["script": "\(call.script ?? "?")", "line": "\(call.line.map(String.init) ?? "?")"])
            return []
        }
        functions.merge(hostFunctions)
        return functions
    }
}
