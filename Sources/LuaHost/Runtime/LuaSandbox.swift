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
        try await call(script, function, arguments) { (state, count) throws(LuaScriptError) in try state.resultValues(count: count) }
    }

    /// Calls `function` of `script` and decodes its first result straight from the Lua stack.
    func call<Result: Decodable & Sendable>(
        _ script: String, _ function: String, _ arguments: [LuaValue], as type: Result.Type
    ) async throws(LuaScriptError) -> Result {
        try await call(script, function, arguments) { (state, count) throws(LuaScriptError) in
            try Self.decode(type, state: state, count: count, script: script, function: function)
        }
    }

    /// Calls `function` with `input` encoded straight into Lua, and decodes its first result.
    func call<Input: Encodable & Sendable, Result: Decodable & Sendable>(
        _ script: String, _ function: String, encoding input: Input, as type: Result.Type
    ) async throws(LuaScriptError) -> Result {
        try await call(script, function, start: { (state) throws(LuaScriptError) in
            try state.start(script: script, function: function, encoding: input)
        }) { (state, count) throws(LuaScriptError) in
            try Self.decode(type, state: state, count: count, script: script, function: function)
        }
    }

    private static func decode<Result: Decodable>(
        _ type: Result.Type, state: LuaState, count: Int32, script: String, function: String
    ) throws(LuaScriptError) -> Result {
        do {
            return try state.decodeResult(type, count: count)
        } catch let error as DecodingError {
            throw LuaScriptError(
                kind: .conversion, script: script + ".lua",
                message: "\(function) returned a value that is not a \(type): \(error.luaDescription)")
        } catch {
            throw LuaScriptError(kind: .conversion, script: script + ".lua", message: "\(function): \(error)")
        }
    }

    private func call<Output>(
        _ script: String, _ function: String, _ arguments: [LuaValue],
        read: (LuaState, Int32) throws(LuaScriptError) -> Output
    ) async throws(LuaScriptError) -> Output {
        try await call(script, function, start: { (state) throws(LuaScriptError) in
            try state.start(script: script, function: function, arguments)
        }, read: read)
    }

    private func call<Output>(
        _ script: String, _ function: String,
        start: (LuaState) throws(LuaScriptError) -> LuaState.Step,
        read: (LuaState, Int32) throws(LuaScriptError) -> Output
    ) async throws(LuaScriptError) -> Output {
        precondition(!busy, "a LuaSandbox serves one call at a time")
        busy = true
        defer {
            busy = false
            renewIfBroken()
        }
        do {
            return try await run(start: start, read: read)
        } catch {
            // A tail call can leave no script frame to point at: name the script called.
            var error = error
            if error.script == nil { error.script = script + ".lua" }
            throw error
        }
    }

    private func run<Output>(
        start: (LuaState) throws(LuaScriptError) -> LuaState.Step,
        read: (LuaState, Int32) throws(LuaScriptError) -> Output
    ) async throws(LuaScriptError) -> Output {
        var step = try start(state)
        while true {
            switch step {
            case .returned(let count):
                defer { state.clearResults() }
                return try read(state, count)
            case .awaiting(let function, let call):
                let entry = state.hostFunctions.entries[function]
                guard case .async(let body) = entry.body else { preconditionFailure("only asynchronous functions yield") }
                let outcome: Result<[LuaValue], any Error>
                do {
                    outcome = .success(try await LuaStatePool.$holdsSandbox.withValue(true) { try await body(call) })
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
