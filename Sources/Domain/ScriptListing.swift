public import Foundation

/// One active script as the API lists it.
public struct ActiveScript: Sendable, Hashable {
    public var name: String
    public var version: String
    public var sha256: String
    public var loadedAt: Date

    public init(name: String, version: String, sha256: String, loadedAt: Date) {
        self.name = name
        self.version = version
        self.sha256 = sha256
        self.loadedAt = loadedAt
    }
}

/// The active script set and its generation (bumped by every reload).
public struct ScriptSet: Sendable, Hashable {
    public var scripts: [ActiveScript]
    public var generation: Int

    public init(scripts: [ActiveScript], generation: Int) {
        self.scripts = scripts
        self.generation = generation
    }
}
