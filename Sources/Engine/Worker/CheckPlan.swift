import Foundation
public import LuaHost
import MailProbe
public import Domain

/// What a monitor's check is: its stored config plus host, port and timeout, in the
/// table form `mailmon.check.imap{…}` takes, so a hook can re-run the same check.
public struct CheckPlan: Sendable {
    public let table: LuaValue
    public var request: CheckRequest
    /// The OAuth2 login of the config (`auth`), nil for a password login.
    public let oauth: OAuthSettings?
    /// A regular expression the server's greeting must match (`greetingPattern`), nil for any.
    public let greetingPattern: String?

    public init(monitor: Monitor) throws {
        var config = (try? LuaValue(json: monitor.fields.config.utf8))?.tableValue ?? LuaTable()
        let protocolName = config["protocol"].stringValue ?? "imap"
        guard let mailProtocol = MailProtocol(rawValue: protocolName) else {
            throw LuaHostError("'protocol' must be imap or pop3, not \(protocolName)")
        }
        if let problem = Validators.hostnameProblem(monitor.fields.hostname) {
            throw LuaHostError("'hostname' \(monitor.fields.hostname) is not a hostname or IP address: \(problem)")
        }
        config["protocol"] = .string(mailProtocol.rawValue)
        config["host"] = .string(monitor.fields.hostname)
        config["port"] = monitor.fields.port.map { .integer(Int64($0)) } ?? .nil
        config["timeoutSeconds"] = .integer(Int64(monitor.fields.timeoutSeconds))
        config.fields = config.fields.filter { !$0.value.isNil }
        table = .table(config)
        request = try CheckRequest(luaTable: table, mailProtocol: mailProtocol)
        oauth = try OAuthSettings(config: config)
        request.oauthMechanism = oauth?.mechanism
        greetingPattern = config["greetingPattern"].stringValue
    }

    /// A plan that only records why the monitor cannot be checked: built from whatever is stored,
    /// without validation, so it never throws (a stored row the worker cannot run is a recorded failure).
    public static func unrunnable(_ monitor: Monitor) -> CheckPlan {
        let config = (try? LuaValue(json: monitor.fields.config.utf8))?.tableValue
        let mailProtocol = MailProtocol(rawValue: config?["protocol"].stringValue ?? "imap") ?? .imap
        let port = monitor.fields.port.flatMap { (1...65_535).contains($0) ? $0 : nil }
        let timeout = Double(min(max(monitor.fields.timeoutSeconds, 1), CheckPlan.maxTimeoutSeconds))
        var table = LuaTable(fields: [
            "protocol": .string(mailProtocol.rawValue), "host": .string(monitor.fields.hostname), "timeoutSeconds": .number(timeout),
        ])
        if let port { table["port"] = .integer(Int64(port)) }
        return CheckPlan(
            table: .table(table),
            request: CheckRequest(mailProtocol: mailProtocol, host: monitor.fields.hostname, port: port, timeoutSeconds: timeout))
    }

    /// The longest a check may run (a stored timeout beyond it is clamped when the claim is taken).
    public static let maxTimeoutSeconds = 300

    private init(table: LuaValue, request: CheckRequest) {
        self.table = table
        self.request = request
        self.oauth = nil
        self.greetingPattern = nil
    }

    /// The check's table with its password replaced by `password` (a sealed handle), or removed when nil.
    public func table(password: String?) -> LuaValue {
        guard var config = table.tableValue else { return table }
        config = Self.maskingAuth(config)
        guard !config["password"].isNil else { return .table(config) }
        config["password"] = password.map(LuaValue.string) ?? .nil
        config.fields = config.fields.filter { !$0.value.isNil }
        return .table(config)
    }

    /// The config as hooks and logs may see it: the password and the OAuth2 secrets replaced.
    public var maskedTable: LuaValue {
        guard var config = table.tableValue else { return table }
        if !config["password"].isNil { config["password"] = .string("********") }
        return .table(Self.maskingAuth(config))
    }

    /// `auth` with its secrets masked: a hook sees that a check logs in with OAuth2, never with what.
    static func maskingAuth(_ config: LuaTable) -> LuaTable {
        guard var auth = config["auth"].tableValue else { return config }
        var config = config
        for key in Monitor.authSecretKeys where !auth[key].isNil { auth[key] = .string(Monitor.secretMask) }
        config["auth"] = .table(auth)
        return config
    }
}
