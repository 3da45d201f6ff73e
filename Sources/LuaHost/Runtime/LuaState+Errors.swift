import CLua

extension LuaState {
    /// The error a failed coroutine left on its stack, located in the script.
    ///
    /// The coroutine's stack is not unwound after an error, so the frames are
    /// read here, after the fact: this is the traceback a message handler would give.
    func scriptError(status: Int32) -> LuaScriptError {
        let reader = LuaStackReader(thread)
        let raw: String
        switch lua_type(thread, -1) {
        case LUA_TSTRING: raw = reader.string(at: -1)
        case LUA_TNIL: raw = "nil"
        default: raw = (try? reader.value(at: -1)).map { "error object \($0)" } ?? "(error object is a \(reader.typeName(-1)) value)"
        }
        let frames = scriptFrames(of: thread)
        if lua_type(thread, -1) == LUA_TTABLE, case .string(let text)? = (try? reader.value(at: -1))?["mailmon_contract"] {
            return LuaScriptError(kind: .contract, message: text, traceback: frames.map(\.text))
        }
        var error = LuaScriptError(kind: .runtime, message: raw, traceback: frames.map(\.text))
        if let parsed = LuaScriptError.parseLocation(raw) {
            error.script = parsed.script
            error.line = parsed.line
            error.message = parsed.text
        } else if let innermost = frames.first {
            error.script = innermost.script
            error.line = innermost.line
        }
        if context.pointee.budget_exceeded != 0 {
            error.kind = .budgetExceeded
            error.message = "instruction budget of \(limits.instructions) exceeded"
            if let innermost = frames.first {
                error.script = innermost.script
                error.line = innermost.line
            }
        } else if status == LUA_ERRMEM || (context.pointee.mem_exceeded != 0 && raw.hasSuffix("not enough memory")) {
            error.kind = .memoryLimit
            error.message = "memory limit of \(limits.memoryBytes) bytes exceeded"
        }
        return error
    }

    struct Frame {
        var script: String
        var line: Int
        var text: String
    }

    /// The script frames of `S`, innermost first (host and C frames skipped).
    func scriptFrames(of S: OpaquePointer, from level: Int32 = 0, limit: Int = 32) -> [Frame] {
        var frames: [Frame] = []
        var ar = lua_Debug()
        var level = level
        while frames.count < limit, lua_getstack(S, level, &ar) != 0 {
            level += 1
            guard lua_getinfo(S, "Sln", &ar) != 0, ar.currentline > 0 else { continue }
            let source = withUnsafeBytes(of: ar.short_src) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard source.hasSuffix(".lua") else { continue }
            let what = ar.what.map { String(cString: $0) } ?? ""
            let name =
                if what == "main" { " in main chunk" } else if let n = ar.name { " in function '\(String(cString: n))'" } else {
                    " in function <\(source):\(ar.linedefined)>"
                }
            frames.append(Frame(script: source, line: Int(ar.currentline), text: "\(source):\(ar.currentline):\(name)"))
        }
        return frames
    }
}
