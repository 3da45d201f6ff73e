/// A loaded Lua state, isolated in an actor so that the type system keeps it
/// on one caller at a time. Calls that wait on asynchronous host functions
/// suspend here; the pool never hands a sandbox to a second caller meanwhile,
/// and `busy` turns any reentrant use into a crash rather than a corrupted state.
actor LuaSandbox {
    private var state: LuaState
    private let scripts: [ScriptSource]
    let metadata: [String: LuaState.ScriptMetadata]
    private var busy = false

    init(scripts: [ScriptSource], limits: LuaLimits, hostFunctions: LuaHostFunctions) throws(LuaScriptError) {
        let state = try LuaState(limits: limits, hostFunctions: hostFunctions)
        self.metadata = try state.load(scripts)
        self.state = state
        self.scripts = scripts
    }

    /// Replaces a retired state with a freshly loaded one.
    private func renewIfBroken() {
        guard state.isBroken,
            let fresh = try? LuaState(limits: state.limits, hostFunctions: state.hostFunctions),
            (try? fresh.load(scripts)) != nil
        else { return }
        state = fresh
    }

    /// Calls `function` of `script` with `arguments`; returns its results.
    func call(_ script: String, _ function: String, _ arguments: [LuaValue]) async throws(LuaScriptError) -> [LuaValue] {
        precondition(!busy, "a LuaSandbox serves one call at a time")
        busy = true
        defer {
            busy = false
            renewIfBroken()
        }
        do {
            return try await run(script, function, arguments)
        } catch {
            // A tail call can leave no script frame to point at: name the script called.
            var error = error
            if error.script == nil { error.script = script + ".lua" }
            throw error
        }
    }

    private func run(_ script: String, _ function: String, _ arguments: [LuaValue]) async throws(LuaScriptError) -> [LuaValue] {
        var step = try state.start(.call, [.string(script), .string(function)] + arguments)
        while true {
            switch step {
            case .returned(let values):
                return values
            case .awaiting(let function, let call):
                let entry = state.hostFunctions.entries[function]
                guard case .async(let body) = entry.body else { preconditionFailure("only asynchronous functions yield") }
                let outcome: Result<[LuaValue], any Error>
                do {
                    outcome = .success(try await body(call))
                } catch {
                    outcome = .failure(error)
                }
                switch outcome {
                case .success(let results): step = try state.resume(with: results)
                case .failure(let error): step = try state.resume(throwing: "\(entry.path): \(LuaState.describe(error))")
                }
            }
        }
    }
}
