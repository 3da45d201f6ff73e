import CLua

extension LuaState {
    /// What a script declares about itself in the table it returns.
    struct ScriptMetadata: Sendable {
        var version: String
        /// The names of the functions in the returned table (its entry points).
        var functions: Set<String>
        var hasSelftest: Bool { functions.contains("selftest") }
    }

    /// Compiles every script, then runs each one's main chunk (in name order,
    /// `require` pulling dependencies first), returning each one's metadata.
    func load(_ scripts: [ScriptSource]) throws(LuaScriptError) -> [String: ScriptMetadata] {
        for script in scripts {
            let result = try runToEnd(.install, [.string(script.name), .string(script.source)], script: script)
            if let message = result.first?.stringValue {
                var error = LuaScriptError(kind: .syntax, script: script.file, message: message)
                if let parsed = LuaScriptError.parseLocation(message) {
                    error.line = parsed.line
                    error.message = parsed.text
                }
                throw error
            }
        }
        var metadata: [String: ScriptMetadata] = [:]
        for script in scripts {
            let result = try runToEnd(.open, [.string(script.name)], script: script).first ?? .nil
            let version: String
            switch result["version"] {
            case .string(let s) where !s.isEmpty: version = s
            case .integer(let i): version = String(i)
            case .number(let d): version = String(d)
            default:
                throw LuaScriptError(
                    kind: .contract, script: script.file,
                    message: "the returned table needs a version (a string or a number), for example: return { version = \"1.0.0\", ... }")
            }
            let functions = Set(result["functions"].tableValue?.array.compactMap(\.stringValue) ?? [])
            metadata[script.name] = ScriptMetadata(version: version, functions: functions)
        }
        return metadata
    }

    /// Runs an entry that must not wait on asynchronous host functions.
    private func runToEnd(_ entry: Entry, _ arguments: [LuaValue], script: ScriptSource) throws(LuaScriptError) -> [LuaValue] {
        var step: Step
        do {
            step = try start(entry, arguments)
        } catch {
            var error = error
            if error.script == nil { error.script = script.file }
            throw error
        }
        guard case .returned(let count) = step else {
            resetThread()
            throw LuaScriptError(
                kind: .contract, script: script.file,
                message: "asynchronous host functions cannot be called while a script loads; call them from a function")
        }
        defer { clearResults() }
        return try resultValues(count: count)
    }
}
