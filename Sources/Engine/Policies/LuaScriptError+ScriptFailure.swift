public import Domain
public import LuaHost

/// Lets the API report a script's failure (script and line) without importing the Lua runtime.
extension LuaScriptError: ScriptFailure {
    public var scriptLocation: String? { location }
    public var failureMessage: String { message }
}
