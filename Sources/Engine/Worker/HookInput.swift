public import Foundation
public import LuaHost
public import MailProbe
public import Domain

/// What `hooks/post_check.lua` `decide(input)` receives (see docs/lua.md, "Post-check hook").
public struct HookInput: Sendable {
    public var monitor: Monitor
    public var plan: CheckPlan
    public var result: ProbeResult
    public var checkedAt: Date
    /// Earlier results, newest first (the current one not included).
    public var history: [CheckRecord]
    public var openIncidents: [Incident]
    public var channels: [AlertChannel]
    public var failureThreshold: Int
    public var certificateWarningDays: Int
    /// The handle that stands for the password in `check` (see `SealedSecrets`); nil: no password.
    public var sealedPassword: String?

    public var luaValue: LuaValue {
        get throws {
            let monitorTable = try monitor.luaTable
            var monitorFields = monitorTable.tableValue ?? LuaTable()
            monitorFields["config"] = plan.maskedTable
            let input: [String: LuaValue] = [
                "monitor": .table(monitorFields),
                "check": plan.table(password: sealedPassword),
                "result": try LuaValue(result),
                "checkedAt": .string(Timestamp.format(checkedAt)),
                "history": .table(LuaTable(array: history.map(Self.table(record:)))),
                "incidents": .table(LuaTable(array: openIncidents.map(Self.table(incident:)))),
                "channels": .table(LuaTable(array: channels.map(Self.table(channel:)))),
                "settings": [
                    "failureThreshold": .integer(Int64(failureThreshold)),
                    "certificateWarningDays": .integer(Int64(certificateWarningDays)),
                ],
            ]
            return .table(LuaTable(fields: input))
        }
    }

    static func table(record: CheckRecord) -> LuaValue {
        var fields: [String: LuaValue] = [
            "ok": .boolean(record.result.ok), "checkedAt": .string(Timestamp.format(record.result.checkedAt)),
        ]
        if let category = record.result.category { fields["category"] = .string(category) }
        if let message = record.result.message { fields["message"] = .string(message) }
        if let count = record.result.messageCount { fields["messageCount"] = .integer(Int64(count)) }
        return .table(LuaTable(fields: fields))
    }

    static func table(incident: Incident) -> LuaValue {
        var fields: [String: LuaValue] = [
            "id": .integer(incident.id), "type": .string(incident.type), "startedAt": .string(Timestamp.format(incident.startedAt)),
        ]
        if let message = incident.message { fields["message"] = .string(message) }
        if let acknowledged = incident.acknowledgedAt { fields["acknowledgedAt"] = .string(Timestamp.format(acknowledged)) }
        if let by = incident.acknowledgedBy { fields["acknowledgedBy"] = .string(by) }
        return .table(LuaTable(fields: fields))
    }

    static func table(channel: AlertChannel) -> LuaValue {
        ["id": .integer(channel.id), "type": .string(channel.type.rawValue), "name": .string(channel.name), "url": .string(channel.url)]
    }
}
