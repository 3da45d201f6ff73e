import LuaHost
public import MailProbe

/// The default-port rule for `port: null`. It lives in Lua (`scripts/lib/ports.lua`),
/// shared by the API policies and the worker; Swift keeps no copy of it.
public struct PortRule: Sendable {
    public static let script = "lib/ports"
    private let library: ScriptLibraryHandle

    public init(library: ScriptLibraryHandle) {
        self.library = library
    }

    public func defaultPort(_ mailProtocol: MailProtocol, tls: Bool) async throws -> Int {
        let results = try await library.get().call(Self.script, "default_port", [.string(mailProtocol.rawValue), .boolean(tls)])
        guard let port = results.first?.integerValue, (1...65_535).contains(port) else {
            throw LuaHostError("\(Self.script).default_port returned \(results.first?.description ?? "nothing"), not a port")
        }
        return Int(port)
    }
}
