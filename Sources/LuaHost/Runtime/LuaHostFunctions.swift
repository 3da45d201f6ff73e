/// One call of a host function from Lua: its arguments and where the script called it.
public struct LuaHostCall: Sendable {
    public var arguments: [LuaValue]
    /// The calling script's file (`hooks/post_check.lua`), when the caller is a script.
    public var script: String?
    public var line: Int?

    public init(arguments: [LuaValue], script: String? = nil, line: Int? = nil) {
        self.arguments = arguments
        self.script = script
        self.line = line
    }

    /// Argument `index` (0-based); `.nil` when absent, as in Lua.
    public subscript(index: Int) -> LuaValue { index < arguments.count ? arguments[index] : .nil }

}

/// An error a host function throws to have its message raised in Lua (catchable by `pcall`).
public struct LuaHostError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ message: String) { self.description = message }
}

/// The Swift functions scripts can call, by dotted path (`mailmon.validate.hostname`).
///
/// Synchronous functions run inline. Asynchronous ones make the calling script
/// yield to the host, which awaits the Swift work and resumes the script with
/// its result; no thread blocks. Whatever either throws becomes a Lua error
/// `path: message` at the calling line.
public struct LuaHostFunctions: Sendable {
    public typealias Sync = @Sendable (LuaHostCall) throws -> [LuaValue]
    public typealias Async = @Sendable (LuaHostCall) async throws -> [LuaValue]

    enum Body: Sendable {
        case sync(Sync)
        case async(Async)
    }

    struct Entry: Sendable {
        let path: String
        let body: Body
    }

    private(set) var entries: [Entry] = []

    public init() {}

    public var paths: [String] { entries.map(\.path) }

    /// Registers a synchronous function; `path` is dotted Lua identifiers, unique.
    public mutating func register(_ path: String, _ body: @escaping Sync) {
        add(Entry(path: path, body: .sync(body)))
    }

    /// Registers an asynchronous function (I/O): the script waits without blocking a thread.
    public mutating func registerAsync(_ path: String, _ body: @escaping Async) {
        add(Entry(path: path, body: .async(body)))
    }

    /// Adds every function of `other`.
    public mutating func merge(_ other: LuaHostFunctions) {
        for entry in other.entries { add(entry) }
    }

    private mutating func add(_ entry: Entry) {
        let segments = entry.path.split(separator: ".", omittingEmptySubsequences: false)
        precondition(
            !segments.isEmpty && segments.allSatisfy(Self.isIdentifier), "host function path '\(entry.path)' is not dotted identifiers")
        precondition(!paths.contains(entry.path), "host function '\(entry.path)' is registered twice")
        precondition(
            (entry.path.hasPrefix("mailmon.") || entry.path == "print") && !entry.path.hasPrefix("mailmon.null"),
            "host functions live under mailmon. (and may not shadow mailmon.null): '\(entry.path)'")
        entries.append(entry)
    }

    private static func isIdentifier(_ s: Substring) -> Bool {
        guard let first = s.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return s.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
