import Foundation
public import LuaHost
import MailProbe
public import Store

/// What a monitor's check is: its stored config plus host, port and timeout, in the
/// table form `mailmon.check.imap{…}` takes, so a hook can re-run the same check.
public struct CheckPlan: Sendable {
    public let table: LuaValue
    public let request: CheckRequest

    public init(monitor: Monitor) throws {
        var config = (try? LuaValue(json: monitor.fields.config.utf8))?.tableValue ?? LuaTable()
        let mailProtocol = MailProtocol(rawValue: config["protocol"].stringValue ?? "imap") ?? .imap
        config["protocol"] = .string(mailProtocol.rawValue)
        config["host"] = .string(monitor.fields.hostname)
        config["port"] = monitor.fields.port.map { .integer(Int64($0)) } ?? .nil
        config["timeoutSeconds"] = .integer(Int64(monitor.fields.timeoutSeconds))
        config.fields = config.fields.filter { !$0.value.isNil }
        table = .table(config)
        request = try CheckRequest(luaTable: table, mailProtocol: mailProtocol)
    }

    /// The config as hooks and logs may see it: the password replaced.
    public var maskedTable: LuaValue {
        guard var config = table.tableValue else { return table }
        if !config["password"].isNil { config["password"] = .string("********") }
        return .table(config)
    }
}
