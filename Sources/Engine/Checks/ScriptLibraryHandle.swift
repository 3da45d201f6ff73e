public import LuaHost
import Synchronization

/// A reference to the script library for host functions that call back into
/// Lua (the check primitives resolve `default_port`). The library is made
/// with its host functions, so they reach it through this handle, set once.
public final class ScriptLibraryHandle: Sendable {
    private let library = Mutex<ScriptLibrary?>(nil)

    public init() {}

    public func set(_ library: ScriptLibrary) {
        self.library.withLock { $0 = library }
    }

    public func get() throws -> ScriptLibrary {
        guard let library = library.withLock({ $0 }) else { throw LuaHostError("the script library is not ready") }
        return library
    }
}
