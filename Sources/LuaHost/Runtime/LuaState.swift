import CLua
import Glibc

/// One sandboxed Lua state and the coroutine its calls run in. Not `Sendable`:
/// it lives inside a `LuaSandbox` actor, which the pool hands to one caller at a time.
///
/// The rule that keeps Lua's longjmp out of Swift frames: Swift here calls only
/// Lua API functions that cannot raise (type checks, reads of non-converting
/// values, raw traversal, `lua_checkstack`, `lua_xmove`, pushes of non-allocating
/// values) or the protected entry points (`lua_pcall`, `lua_resume`, `lua_load`).
/// Everything that allocates runs in C under those: `mm_build` for values and
/// the trampoline for host results and errors.
final class LuaState {
    enum Entry: Int32 {
        case resolve = 1, install, open, newThread
    }

    enum Step {
        /// The call returned this many values; they are on top of the host thread until `clearResults()`.
        case returned(count: Int32)
        case awaiting(function: Int, call: LuaHostCall)
        /// The call ran past its time slice on the caller's thread; `resumePreempted()` goes on.
        case preempted
    }

    /// `L`'s stack holds the runtime's entries (1…4), the table of resolved script
    /// functions (5) and the host thread (6) for the state's lifetime.
    static let functionsSlot: Int32 = 5
    static let threadSlot: Int32 = 6
    static let preludeChunk = "[mailmon]"
    static let patternGuardChunk = "[mailmon patterns]"

    let L: OpaquePointer
    private(set) var thread: OpaquePointer! = nil
    let context: UnsafeMutablePointer<mm_context>
    let program = ValueProgram()
    let limits: LuaLimits
    let hostFunctions: LuaHostFunctions
    /// The asynchronous host call the thread yielded for, until the host picks it up.
    var pending: (function: Int, call: LuaHostCall)?
    /// Set when a failed host thread could not be replaced: the state must not run again.
    private(set) var isBroken = false
    /// Script functions already resolved in this state, by script and function name.
    private var functionIndex: [FunctionKey: lua_Integer] = [:]
    private var lastResolved: (key: FunctionKey, index: lua_Integer)?

    struct FunctionKey: Hashable {
        var script: String
        var function: String
    }

    init(limits: LuaLimits, hostFunctions: LuaHostFunctions) throws(LuaScriptError) {
        let context = UnsafeMutablePointer<mm_context>.allocate(capacity: 1)
        context.initialize(to: mm_context())
        context.pointee.mem_limit = limits.memoryBytes
        context.pointee.hook_interval = limits.hookInterval
        context.pointee.budget_remaining = limits.instructions
        guard let L = lua_newstate(luaLimitedAllocator, context) else {
            context.deallocate()
            throw LuaScriptError(kind: .memoryLimit, message: "memory limit of \(limits.memoryBytes) bytes is too small for a Lua state")
        }
        self.L = L
        self.context = context
        self.limits = limits
        self.hostFunctions = hostFunctions
        mm_set_ctx(L, context)
        context.pointee.dispatch = luaHostDispatch
        context.pointee.host = Unmanaged.passUnretained(self).toOpaque()
        lua_sethook(L, mm_budget_hook_fn(), LUA_MASKCOUNT, limits.hookInterval)
        try openSandbox()
    }

    deinit {
        lua_close(L)
        context.deallocate()
    }

    private func openSandbox() throws(LuaScriptError) {
        let openers: [lua_CFunction] = [luaopen_base, luaopen_string, luaopen_table, luaopen_math, luaopen_utf8, luaopen_coroutine, luaopen_os]
        guard lua_checkstack(L, 24) != 0 else { throw LuaScriptError(kind: .memoryLimit, message: "no stack space") }
        for opener in openers {
            mm_pushcfunction(L, opener)
            try protect(mm_pcall(L, 0, 1, 0), what: "opening the Lua libraries")
        }
        let status = sandboxPrelude.withCString { source in
            mm_loadbuffer(L, source, strlen(source), "=" + Self.preludeChunk, "t")
        }
        try protect(status, what: "loading the sandbox")
        mm_insert(L, 1)
        program.reset()
        program.append(.nil, inTable: true)
        program.append(.table(LuaTable(array: hostFunctions.paths.map { .string($0) })))
        try build()
        mm_pushcfunction(L, mm_make_host_function_fn())
        lua_pushinteger(L, lua_Integer(limits.memoryBytes))
        lua_pushinteger(L, lua_Integer(limits.patternSteps))
        lua_pushinteger(L, lua_Integer(limits.maxPatternLength))
        let guardStatus = patternGuard.withCString { source in
            mm_loadbuffer(L, source, strlen(source), "=" + Self.patternGuardChunk, "t")
        }
        try protect(guardStatus, what: "loading the pattern bounds")
        try protect(mm_pcall(L, 14, Self.threadSlot, 0), what: "starting the sandbox")
        thread = lua_tothread(L, Self.threadSlot)
        lua_settop(thread, 0)
        context.pointee.host_thread = thread
    }

    /// Runs the program under `lua_pcall`; its values end on top of `L`.
    func build() throws(LuaScriptError) {
        program.install(in: context)
        mm_pushcfunction(L, mm_build_fn())
        try protect(mm_pcall(L, 0, mm_multret(), 0), what: "passing values to Lua")
    }

    private func protect(_ status: Int32, what: String) throws(LuaScriptError) {
        guard status != LUA_OK else { return }
        let text = lua_type(L, -1) == LUA_TSTRING ? String(cString: mm_tostring(L, -1)) : "error object"
        lua_settop(L, thread == nil ? 0 : Self.threadSlot)
        if status == LUA_ERRMEM || context.pointee.mem_exceeded != 0 {
            throw LuaScriptError(kind: .memoryLimit, message: "memory limit of \(limits.memoryBytes) bytes exceeded while \(what)")
        }
        throw LuaScriptError(kind: .runtime, message: "\(what): \(text)")
    }

    // MARK: Calls

    /// Starts a runtime entry (`install`, `open`, `resolve`) in the host coroutine.
    func start(_ entry: Entry, _ arguments: [LuaValue]) throws(LuaScriptError) -> Step {
        try prepare()
        lua_pushvalue(L, entry.rawValue)
        return try startPushed(arguments)
    }

    /// Starts `function` of `script` in the host coroutine with a fresh instruction budget.
    func start(script: String, function: String, _ arguments: [LuaValue]) throws(LuaScriptError) -> Step {
        let index = try resolve(FunctionKey(script: script, function: function))
        try prepare()
        lua_rawgeti(L, Self.functionsSlot, index)
        return try startPushed(arguments)
    }

    /// The results of the call that just returned, as values.
    func resultValues(count: Int32) throws(LuaScriptError) -> [LuaValue] {
        let base = lua_gettop(thread) - count
        var values: [LuaValue] = []
        values.reserveCapacity(Int(count))
        for index in 0..<count {
            do {
                values.append(try LuaStackReader(thread).value(at: base + 1 + index))
            } catch {
                throw LuaScriptError(kind: .conversion, message: "result #\(index + 1): \(error.message)")
            }
        }
        return values
    }

    func clearResults() { lua_settop(thread, 0) }

    private func resolve(_ key: FunctionKey) throws(LuaScriptError) -> lua_Integer {
        // Callers tend to call the same function again: compare before hashing.
        if let last = lastResolved, last.key == key { return last.index }
        if let index = functionIndex[key] {
            lastResolved = (key, index)
            return index
        }
        // The host's own lookup is never preempted: the call's time slice resumes after it.
        let deadline = context.pointee.preempt_deadline_ns
        context.pointee.preempt_deadline_ns = 0
        defer { context.pointee.preempt_deadline_ns = deadline }
        guard case .returned(let count) = try start(.resolve, [.string(key.script), .string(key.function)]) else {
            resetThread()
            throw LuaScriptError(kind: .contract, message: "resolving \(key.function) yielded")
        }
        defer { clearResults() }
        let index = count == 1 ? lua_tointegerx(thread, -1, nil) : 0
        guard index > 0 else { throw LuaScriptError(kind: .contract, message: "cannot resolve \(key.script).\(key.function)") }
        functionIndex[key] = index
        lastResolved = (key, index)
        return index
    }

    /// A fresh budget; the hook itself stays as it is: a thread whose budget ran out is never reused.
    private func prepare() throws(LuaScriptError) {
        guard !isBroken else { throw LuaScriptError(kind: .memoryLimit, message: "the Lua state ran out of memory and was retired") }
        context.pointee.budget_remaining = limits.instructions
        context.pointee.budget_exceeded = 0
        context.pointee.mem_exceeded = 0
        context.pointee.resume_with_error = 0
        pending = nil
        lua_settop(L, Self.threadSlot)
        guard lua_checkstack(L, 2) != 0 else { throw LuaScriptError(kind: .memoryLimit, message: "no stack space") }
    }

    private func startPushed(_ arguments: [LuaValue]) throws(LuaScriptError) -> Step {
        if !arguments.isEmpty {
            program.reset()
            for argument in arguments { program.append(argument) }
            try build()
        }
        return try transfer(resumeArguments: -1)
    }

    /// Lets the next slice run for `microseconds` before the budget hook yields it (0: never).
    func preempt(afterMicroseconds microseconds: Int) {
        context.pointee.preempted = 0
        context.pointee.preempt_deadline_ns = microseconds > 0 ? mm_now_ns() + Int64(microseconds) * 1_000 : 0
    }

    /// Goes on with a call that was preempted (no values travel).
    func resumePreempted() throws(LuaScriptError) -> Step {
        lua_settop(L, Self.threadSlot)
        return try transfer(resumeArguments: 0)
    }

    /// Resumes the coroutine after an asynchronous host call returned `results`.
    func resume(with results: [LuaValue]) throws(LuaScriptError) -> Step {
        program.reset()
        for result in results { program.append(result) }
        do {
            try build()
        } catch {
            resetThread()
            throw error
        }
        return try transfer(resumeArguments: 0)
    }

    /// Resumes the coroutine with an error raised at the line that called the host function.
    func resume(throwing message: String) throws(LuaScriptError) -> Step {
        program.reset()
        program.appendString(message)
        do {
            try build()
        } catch {
            resetThread()
            throw error
        }
        context.pointee.resume_with_error = 1
        return try transfer(resumeArguments: 0)
    }

    /// Moves what was built on `L` to the coroutine and resumes it.
    /// `resumeArguments` is 0 to pass all values, -1 when the first one is the function to start.
    private func transfer(resumeArguments offset: Int32) throws(LuaScriptError) -> Step {
        let count = lua_gettop(L) - Self.threadSlot
        guard lua_checkstack(thread, count + 8) != 0 else {
            resetThread()
            throw LuaScriptError(kind: .memoryLimit, message: "no stack space for \(count) values")
        }
        lua_xmove(L, thread, count)
        var resultCount: Int32 = 0
        let status = lua_resume(thread, L, count + offset, &resultCount)
        switch status {
        case LUA_OK:
            return .returned(count: resultCount)
        case LUA_YIELD:
            if context.pointee.preempted != 0 {
                context.pointee.preempted = 0
                return .preempted
            }
            guard let request = pending else {
                resetThread()
                throw LuaScriptError(kind: .runtime, message: "coroutine.yield called outside a coroutine of the script")
            }
            pending = nil
            return .awaiting(function: request.function, call: request.call)
        default:
            let error = scriptError(status: status)
            resetThread()
            throw error
        }
    }

    /// Puts a new host thread in place of one that failed or was abandoned.
    ///
    /// A thread is not reused after an error: when the budget hook's error
    /// escapes `lua_resume`, Lua leaves that thread's hooks switched off, and
    /// a reused thread would run the next runaway loop without a budget.
    func resetThread() {
        pending = nil
        context.pointee.budget_exceeded = 0
        context.pointee.budget_remaining = limits.instructions
        lua_settop(L, Self.threadSlot)
        lua_pushvalue(L, Entry.newThread.rawValue)
        if mm_pcall(L, 0, 1, 0) == LUA_OK, let fresh = lua_tothread(L, -1) {
            lua_settop(fresh, 0)
            mm_replace(L, Self.threadSlot)
            thread = fresh
            context.pointee.host_thread = fresh
        } else {
            // Resetting the old thread would keep its hooks off: retire the whole state instead.
            lua_settop(L, Self.threadSlot)
            isBroken = true
        }
    }
}
