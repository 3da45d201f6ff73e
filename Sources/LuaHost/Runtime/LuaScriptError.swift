/// An error from a script, a limit or the bridge, located at the script and line it came from.
///
/// `description` reads `policies/monitor_create.lua:42: message`, the shape
/// operators know from `lua` and compilers.
public struct LuaScriptError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The source does not compile.
        case syntax
        /// `error(...)`, a failed host function, or a runtime error in the script.
        case runtime
        /// The state's memory limit was reached.
        case memoryLimit
        /// The call's instruction budget ran out.
        case budgetExceeded
        /// A value could not cross between Lua and Swift (type, field, unsupported value).
        case conversion
        /// The script or one of its entry points does not exist, or its metadata is wrong.
        case contract
        /// Loading was refused: a changed source under an unchanged version, or an unreadable file.
        case version
    }

    public var kind: Kind
    /// The script's file, relative to the library (`policies/monitor_create.lua`), when known.
    public var script: String?
    public var line: Int?
    /// The message without the location prefix.
    public var message: String
    /// Lua frames, innermost first: `policies/monitor_create.lua:42: in function 'decide'`.
    public var traceback: [String]

    public init(kind: Kind, script: String? = nil, line: Int? = nil, message: String, traceback: [String] = []) {
        self.kind = kind
        self.script = script
        self.line = line
        self.message = message
        self.traceback = traceback
    }

    public var location: String? {
        guard let script else { return nil }
        guard let line else { return script }
        return "\(script):\(line)"
    }

    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }
}

extension LuaScriptError {
    /// Splits `chunk:line: text` into its parts when `chunk` is a script file (`*.lua`).
    static func parseLocation(_ message: String) -> (script: String, line: Int, text: String)? {
        var search = message.startIndex
        while let colon = message[search...].firstIndex(of: ":") {
            let afterColon = message.index(after: colon)
            let digits = message[afterColon...].prefix(while: \.isNumber)
            if !digits.isEmpty, message[digits.endIndex...].hasPrefix(": ") {
                let script = String(message[..<colon])
                guard script.hasSuffix(".lua"), let line = Int(digits) else { return nil }
                let text = message[message.index(digits.endIndex, offsetBy: 2)...]
                return (script, line, String(text))
            }
            search = afterColon
        }
        return nil
    }
}
