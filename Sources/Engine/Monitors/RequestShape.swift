import Domain
public import LuaHost

/// Swift's part of a request: the JSON types of the API's own fields. Whether a value is
/// allowed, and which config keys exist and what they hold, is the policies' call.
public enum RequestShape {
    enum Kind { case string, integer, boolean, object, stringArray, integerOrString }

    static let monitorFields: [String: (Kind, nullable: Bool)] = [
        "customerId": (.integerOrString, false), "name": (.string, false), "hostname": (.string, false),
        "port": (.integer, true), "status": (.string, false), "checkInterval": (.integer, false),
        "timeoutSeconds": (.integer, false), "notificationEmail": (.string, true), "notificationPhoneNumber": (.string, true),
        "allowedCheckCountryCodes": (.stringArray, true), "imapPopConfig": (.object, true), "config": (.object, true),
    ]


    /// Checks the JSON types of a monitor body (create or PATCH); throws a 400 naming the field.
    public static func checkMonitorBody(_ body: LuaValue) throws {
        guard let table = body.tableValue, table.array.isEmpty else { throw DomainError.badRequest("the body must be a JSON object") }
        for (key, value) in table.fields {
            guard let (kind, nullable) = monitorFields[key] else { continue }
            if value.isNil {
                guard nullable else { throw DomainError.badRequest("\(key) must not be null") }
                continue
            }
            try check(value, kind, key)
        }
        if !table["imapPopConfig"].isNil, !table["config"].isNil {
            throw DomainError.badRequest("send imapPopConfig or its alias config, not both")
        }
        // Which config keys exist and what each holds is the policy's (lib/monitor_rules); the shape
        // rule here knows no key: an array is nothing a config holds, and only the parser can tell
        // an empty `[]` from `{}`.
        for name in ["imapPopConfig", "config"] {
            guard let config = table[name].tableValue else { continue }
            for (key, value) in config.fields {
                guard case .table(let nested) = value else { continue }
                if !nested.array.isEmpty || nested.wasEmptyJSONArray { throw DomainError.badRequest("\(name).\(key) must be an object") }
            }
        }
    }

    static func check(_ value: LuaValue, _ kind: Kind, _ path: String) throws {
        let ok: Bool
        switch (kind, value) {
        case (.string, .string), (.integer, .integer), (.boolean, .boolean), (.integerOrString, .integer), (.integerOrString, .string): ok = true
        // `[]` and `{}` are both an empty table; the parser's hint tells them apart.
        case (.object, .table(let t)): ok = t.array.isEmpty && !t.wasEmptyJSONArray
        case (.stringArray, .table(let t)):
            ok = t.fields.isEmpty && (!t.array.isEmpty || t.wasEmptyJSONArray) && t.array.allSatisfy { $0.stringValue != nil }
        default: ok = false
        }
        guard ok else {
            let expected: String = switch kind {
            case .string: "a string"
            case .integer: "an integer"
            case .boolean: "a boolean"
            case .object: "an object"
            case .stringArray: "an array of strings"
            case .integerOrString: "a number (id) or a string (UUID)"
            }
            throw DomainError.badRequest("\(path) must be \(expected)")
        }
    }
}
