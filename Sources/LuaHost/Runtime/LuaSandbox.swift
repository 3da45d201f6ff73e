/// A loaded Lua state, isolated in an actor so that the type system keeps it
/// on one caller at a time. Calls that wait on asynchronous host functions
/// suspend here; the pool never hands a sandbox to a second caller meanwhile,
/// and `busy` turns any reentrant use into a crash rather than a corrupted state.
///
/// Each synchronous slice of Lua work, from a start or resume to the next yield or
/// the results, starts on the caller's (cooperative) thread with a time slice of
/// `LuaLimits.inlineSliceMicroseconds`; a slice that runs past it is preempted by
/// the budget hook and goes on on `LuaThreads` while the actor awaits it (see
/// there why). Most calls end well inside the slice and never change threads.
actor LuaSandbox {
    private var state: LuaState
    private let scripts: [ScriptSource]
    private let limits: LuaLimits
    private let hostFunctions: LuaHostFunctions
    private let threads: LuaThreads
    let metadata: [String: LuaState.ScriptMetadata]
    private var busy = false

    /// Builds and loads the state on the calling thread: call it on `LuaThreads` (`make`).
    init(scripts: [ScriptSource], limits: LuaLimits, hostFunctions: LuaHostFunctions) throws(LuaScriptError) {
        let state = try LuaState(limits: limits, hostFunctions: hostFunctions)
        self.metadata = try state.load(scripts)
        self.state = state
        self.scripts = scripts
        self.limits = limits
        self.hostFunctions = hostFunctions
        self.threads = LuaThreads.shared(count: limits.scriptThreads)
    }

    /// A sandbox built and loaded on the Lua threads.
    static func make(
        scripts: [ScriptSource], limits: LuaLimits, hostFunctions: LuaHostFunctions
    ) async throws(LuaScriptError) -> LuaSandbox {
        try await LuaThreads.shared(count: limits.scriptThreads).run { () throws(LuaScriptError) in
            try LuaSandbox(scripts: scripts, limits: limits, hostFunctions: hostFunctions)
        }
    }

    /// Replaces a retired state with a freshly loaded one.
    private func renewIfBroken() async {
        guard state.isBroken else { return }
        let (scripts, limits, hostFunctions) = (self.scripts, self.limits, self.hostFunctions)
        let fresh = try? await threads.run { () throws(LuaScriptError) in
            let fresh = try LuaState(limits: limits, hostFunctions: hostFunctions)
            _ = try fresh.load(scripts)
            return StateHandle(fresh)
        }
        if let fresh { state = fresh.state }
    }

    /// Calls `function` of `script` with `arguments`; returns its results.
    func call(_ script: String, _ function: String, _ arguments: [LuaValue]) async throws(LuaScriptError) -> [LuaValue] {
        try await call(script, function, arguments) { (state, count) throws(LuaScriptError) in try state.resultValues(count: count) }
    }

    private func call<Output: Sendable>(
        _ script: String, _ function: String, _ arguments: [LuaValue],
        read: @escaping @Sendable (LuaState, Int32) throws(LuaScriptError) -> Output
    ) async throws(LuaScriptError) -> Output {
        try await call(script, function, start: { (state) throws(LuaScriptError) in
            try state.start(script: script, function: function, arguments)
        }, read: read)
    }

    private func call<Output: Sendable>(
        _ script: String, _ function: String,
        start: @escaping @Sendable (LuaState) throws(LuaScriptError) -> LuaState.Step,
        read: @escaping @Sendable (LuaState, Int32) throws(LuaScriptError) -> Output
    ) async throws(LuaScriptError) -> Output {
        precondition(!busy, "a LuaSandbox serves one call at a time")
        busy = true
        let outcome: Result<Output, LuaScriptError>
        do {
            outcome = .success(try await run(start: start, read: read))
        } catch {
            // A tail call can leave no script frame to point at: name the script called.
            var error = error
            if error.script == nil { error.script = script + ".lua" }
            outcome = .failure(error)
        }
        await renewIfBroken()
        busy = false
        return try outcome.get()
    }

    /// What one slice of Lua work ended with.
    private enum Slice<Output: Sendable>: Sendable {
        case done(Output)
        case awaiting(function: Int, call: LuaHostCall)
        case preempted
    }

    /// On a Lua thread: runs `step` (a start or a resume) and, when the call returned, reads its results.
    private static func slice<Output: Sendable>(
        _ state: LuaState, read: (LuaState, Int32) throws(LuaScriptError) -> Output,
        _ step: () throws(LuaScriptError) -> LuaState.Step
    ) throws(LuaScriptError) -> Slice<Output> {
        switch try step() {
        case .returned(let count):
            defer { state.clearResults() }
            return .done(try read(state, count))
        case .awaiting(let function, let call):
            return .awaiting(function: function, call: call)
        case .preempted:
            return .preempted
        }
    }

    /// Runs `step` here with a time slice; if it runs past it, the rest runs on a Lua thread.
    private func slice<Output: Sendable>(
        _ handle: StateHandle, read: @escaping @Sendable (LuaState, Int32) throws(LuaScriptError) -> Output,
        _ step: @escaping @Sendable (LuaState) throws(LuaScriptError) -> LuaState.Step
    ) async throws(LuaScriptError) -> Slice<Output> {
        if limits.inlineSliceMicroseconds > 0 {
            handle.state.preempt(afterMicroseconds: limits.inlineSliceMicroseconds)
            let inline: Slice<Output>
            do {
                inline = try Self.slice(handle.state, read: read) { () throws(LuaScriptError) in try step(handle.state) }
            } catch {
                handle.state.preempt(afterMicroseconds: 0)
                throw error
            }
            // No deadline outlives its slice: whatever runs on this state next sets its own.
            handle.state.preempt(afterMicroseconds: 0)
            guard case .preempted = inline else { return inline }
            return try await threads.run { () throws(LuaScriptError) in
                handle.state.preempt(afterMicroseconds: 0)
                return try Self.slice(handle.state, read: read) { () throws(LuaScriptError) in try handle.state.resumePreempted() }
            }
        }
        return try await threads.run { () throws(LuaScriptError) in
            handle.state.preempt(afterMicroseconds: 0)
            return try Self.slice(handle.state, read: read) { () throws(LuaScriptError) in try step(handle.state) }
        }
    }

    private func run<Output: Sendable>(
        start: @escaping @Sendable (LuaState) throws(LuaScriptError) -> LuaState.Step,
        read: @escaping @Sendable (LuaState, Int32) throws(LuaScriptError) -> Output
    ) async throws(LuaScriptError) -> Output {
        // The state crosses to the Lua thread and back with each slice; the actor
        // does not touch it while a slice runs (it awaits the slice), and `busy`
        // keeps every other call out until this one ends.
        let handle = StateHandle(state)
        var slice: Slice<Output> = try await self.slice(handle, read: read, start)
        while true {
            switch slice {
            case .done(let output):
                return output
            case .preempted:
                preconditionFailure("a preempted slice goes on on the Lua threads, it is not returned")
            case .awaiting(let function, let call):
                let entry = hostFunctions.entries[function]
                guard case .async(let body) = entry.body else { preconditionFailure("only asynchronous functions yield") }
                let outcome: Result<[LuaValue], any Error>
                do {
                    outcome = .success(try await LuaStatePool.$holdsSandbox.withValue(true) { try await body(call) })
                } catch {
                    outcome = .failure(error)
                }
                switch outcome {
                case .success(let results):
                    slice = try await self.slice(handle, read: read) { (state) throws(LuaScriptError) in try state.resume(with: results) }
                case .failure(let error):
                    let message = "\(entry.path): \(LuaState.describe(error))"
                    slice = try await self.slice(handle, read: read) { (state) throws(LuaScriptError) in try state.resume(throwing: message) }
                }
            }
        }
    }
}

/// A `LuaState` handed to a Lua thread for one slice. Not really `Sendable`:
/// the one sandbox that owns the state sends it to one slice at a time and waits.
struct StateHandle: @unchecked Sendable {
    let state: LuaState
    init(_ state: LuaState) { self.state = state }
}
