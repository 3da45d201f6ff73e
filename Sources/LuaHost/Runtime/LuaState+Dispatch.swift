import CLua

/// Called by CLua's trampoline for every host function call (see `mm_host_trampoline`).
let luaHostDispatch: mm_dispatch_fn = { S, host, function in
    let state = Unmanaged<LuaState>.fromOpaque(host!).takeUnretainedValue()
    return state.dispatch(S!, function: Int(function))
}

extension LuaState {
    /// Reads the arguments, runs a synchronous host function or parks an
    /// asynchronous one, and leaves results or an error message in the program.
    func dispatch(_ S: OpaquePointer, function: Int) -> Int32 {
        let entry = hostFunctions.entries[function]
        let site = scriptFrames(of: S, from: 1, limit: 1).first
        var arguments: [LuaValue] = []
        let reader = LuaStackReader(S)
        for index in 0..<lua_gettop(S) {
            do {
                arguments.append(try reader.value(at: index + 1))
            } catch {
                return fail("\(entry.path): argument #\(index + 1): \(error.message)")
            }
        }
        let call = LuaHostCall(arguments: arguments, script: site?.script, line: site?.line)
        switch entry.body {
        case .sync(let body):
            do {
                let results = try body(call)
                program.reset()
                for result in results { program.append(result) }
                program.install(in: context)
                return Int32(MM_HOST_RETURN)
            } catch {
                return fail("\(entry.path): \(Self.describe(error))")
            }
        case .async:
            pending = (function, call)
            return Int32(MM_HOST_YIELD)
        }
    }

    private func fail(_ message: String) -> Int32 {
        program.reset()
        program.appendString(message)
        program.install(in: context)
        return Int32(MM_HOST_ERROR)
    }

    /// The text a Swift error shows in Lua.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let e as LuaHostError: e.description
        case let e as LuaScriptError: e.description
        case is CancellationError: "cancelled"
        default: String(describing: error)
        }
    }
}
