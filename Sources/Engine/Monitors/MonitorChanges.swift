import Domain
import Foundation
import LuaHost

/// What an update changed, as field names for the audit log (never the values): the API's
/// field names, and `config.<key>` for each key of the mailbox config that changed.
enum MonitorChanges {
    static func fieldNames(from old: MonitorFields, to new: MonitorFields) -> [String] {
        var names: [String] = []
        if old.name != new.name { names.append("name") }
        if old.hostname != new.hostname { names.append("hostname") }
        if old.port != new.port { names.append("port") }
        if old.checkInterval != new.checkInterval { names.append("checkInterval") }
        if old.timeoutSeconds != new.timeoutSeconds { names.append("timeoutSeconds") }
        if old.status != new.status { names.append("status") }
        if old.notificationEmail != new.notificationEmail { names.append("notificationEmail") }
        if old.notificationPhoneNumber != new.notificationPhoneNumber { names.append("notificationPhoneNumber") }
        if old.allowedCheckCountryCodes != new.allowedCheckCountryCodes { names.append("allowedCheckCountryCodes") }
        if old.config != new.config { names += configKeys(from: old.config, to: new.config) }
        return names
    }

    /// The keys whose values differ, in order.
    private static func configKeys(from old: String, to new: String) -> [String] {
        guard let before = (try? LuaValue(json: old.utf8))?.tableValue, let after = (try? LuaValue(json: new.utf8))?.tableValue else {
            return ["config"]
        }
        let keys = Set(before.fields.keys).union(after.fields.keys)
        return keys.sorted().filter { before[$0] != after[$0] }.map { "config." + $0 }
    }
}
