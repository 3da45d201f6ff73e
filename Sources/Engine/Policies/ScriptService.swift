public import Domain
public import LuaHost

/// The active script set as the API sees it: listed by anyone signed in, reloaded by the platform's operator.
public struct ScriptService: Sendable {
    let library: ScriptLibrary
    /// Where a reload over the API is recorded (in the operator's organization).
    let audit: (any AuditRepository)?

    public init(library: ScriptLibrary, audit: (any AuditRepository)? = nil) {
        self.library = library
        self.audit = audit
    }

    public var active: ScriptSet {
        ScriptSet(scripts: library.active.map(ActiveScript.init), generation: library.generation)
    }

    /// Reads the scripts directory again; a set that fails leaves the active one serving (400 naming script and line).
    public func reload(actor: Principal) async throws -> ScriptSet {
        guard actor.platformOperator else {
            throw DomainError.forbidden("Forbidden: reloading the scripts is the platform operator's action (an operator token, or SIGHUP)")
        }
        let before = Dictionary(library.active.map { ($0.name, $0.sha256) }) { first, _ in first }
        do {
            try await library.reload()
        } catch {
            throw DomainError.badRequest("reload refused, the active scripts stay: \(error.location.map { "\($0): " } ?? "")\(error.message)")
        }
        let set = active
        if let audit {
            // The scripts that changed, were added or went away, by name.
            let after = Dictionary(set.scripts.map { ($0.name, $0.sha256) }) { first, _ in first }
            let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
            try await audit.recordAudit(
                AuditRecord(actor, action: "scripts.reload", targetType: "scripts", targetId: "generation \(set.generation)", customerId: nil,
                            changes: changed))
        }
        return set
    }
}

extension ActiveScript {
    init(_ info: ScriptInfo) {
        self.init(name: info.name, version: info.version, sha256: info.sha256, loadedAt: info.loadedAt)
    }
}
