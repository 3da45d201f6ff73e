public import Foundation
import Crypto

/// A script file of the library: its name (path without `.lua`), source and digest.
public struct ScriptSource: Sendable, Hashable {
    /// `policies/monitor_create` for `policies/monitor_create.lua`.
    public let name: String
    public let source: String
    /// Lowercase hex SHA-256 of the source bytes.
    public let sha256: String

    public init(name: String, source: String) {
        self.name = name
        self.source = source
        self.sha256 = SHA256.hash(data: Data(source.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The file, relative to the library directory; what error messages name.
    public var file: String { name + ".lua" }

    /// Every `*.lua` file below `directory`, sorted by name.
    public static func load(directory: String) throws(LuaScriptError) -> [ScriptSource] {
        let root = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LuaScriptError(kind: .version, message: "script directory \(directory) does not exist")
        }
        guard let walker = FileManager.default.enumerator(atPath: root.path) else {
            throw LuaScriptError(kind: .version, message: "script directory \(directory) cannot be read")
        }
        var scripts: [ScriptSource] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".lua") else { continue }
            let name = String(relative.dropLast(4))
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(relative).path) else {
                throw LuaScriptError(kind: .version, script: relative, message: "cannot read the file")
            }
            guard let source = String(data: data, encoding: .utf8) else {
                throw LuaScriptError(kind: .version, script: relative, message: "the file is not UTF-8 text")
            }
            scripts.append(ScriptSource(name: name, source: source))
        }
        return scripts.sorted { $0.name < $1.name }
    }
}

/// What the library reports about an active script.
public struct ScriptInfo: Sendable, Hashable, Codable {
    public var name: String
    public var version: String
    public var sha256: String
    public var loadedAt: Date
    public var hasSelftest: Bool

    public var file: String { name + ".lua" }
}
