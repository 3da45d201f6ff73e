public import Domain
public import LuaHost

/// The active script set as the API sees it: listed by anyone signed in, reloaded by the platform's operator.
public struct ScriptService: Sendable {
    let library: ScriptLibrary

    public init(library: ScriptLibrary) {
        self.library = library
    }

    public var active: ScriptSet {
        ScriptSet(scripts: library.active.map(ActiveScript.init), generation: library.generation)
    }

    /// Reads the scripts directory again; a set that fails leaves the active one serving (400 naming script and line).
    public func reload(actor: Principal) async throws -> ScriptSet {
        guard actor.platformOperator else {
            throw DomainError.forbidden("Forbidden: reloading the scripts is the platform operator's action (an operator token, or SIGHUP)")
        }
        do {
            try await library.reload()
        } catch {
            throw DomainError.badRequest("reload refused, the active scripts stay: \(error.location.map { "\($0): " } ?? "")\(error.message)")
        }
        return active
    }
}

extension ActiveScript {
    init(_ info: ScriptInfo) {
        self.init(name: info.name, version: info.version, sha256: info.sha256, loadedAt: info.loadedAt)
    }
}
