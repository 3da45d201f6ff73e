import Foundation
public import LuaHost
public import Domain

/// What a monitor policy script decided: the normalized monitor, or a rejection.
public struct PolicyDecision: Sendable {
    public var customerId: Int64
    public var fields: MonitorFields
}

/// Calls `policies/monitor_create` / `policies/monitor_update` (`decide(input)`) and
/// turns their answer into `MonitorFields` or a `DomainError` with the script's status.
public struct MonitorPolicy: Sendable {
    public static let createScript = "policies/monitor_create"
    public static let updateScript = "policies/monitor_update"
    let library: ScriptLibrary

    public init(library: ScriptLibrary) {
        self.library = library
    }

    public func decideCreate(request: LuaValue, actor: Principal) async throws -> PolicyDecision {
        try await decide(Self.createScript, input: ["request": request, "actor": actor.luaTable])
    }

    public func decideUpdate(request: LuaValue, actor: Principal, current: Monitor) async throws -> PolicyDecision {
        try await decide(Self.updateScript, input: ["request": request, "actor": actor.luaTable, "current": try current.luaTable])
    }

    private func decide(_ script: String, input: LuaValue) async throws -> PolicyDecision {
        // The version of the script that decided, from the same set (a reload may run meanwhile).
        let (results, scriptVersion) = try await library.callVersioned(script, "decide", [input])
        let version = scriptVersion.map { "\(script)@\($0)" } ?? script
        let result = results.first ?? .nil
        guard let table = result.tableValue else { throw Self.contract(script, "decide() must return a table, got \(result.typeName)") }
        if let reject = table["reject"].tableValue { throw PolicyRejection.error(reject, script: script, defaultStatus: 400) }
        guard let monitor = table["monitor"].tableValue else { throw Self.contract(script, "decide() must return {monitor = …} or {reject = …}") }
        let decision = try PolicyDecision(monitor, script: script, version: version)
        try decision.checkInvariants(script: script)
        return decision
    }

    static func contract(_ script: String, _ message: String) -> LuaScriptError {
        LuaScriptError(kind: .contract, script: script + ".lua", message: message)
    }
}

extension PolicyDecision {
    init(_ monitor: LuaTable, script: String, version: String) throws {
        func fail(_ message: String) -> LuaScriptError { MonitorPolicy.contract(script, "monitor.\(message)") }
        func string(_ key: String) throws -> String {
            guard let value = monitor[key].stringValue else { throw fail("\(key) must be a string") }
            return value
        }
        func optionalString(_ key: String) throws -> String? {
            switch monitor[key] {
            case .nil: return nil
            case .string(let s): return s
            default: throw fail("\(key) must be a string or nil")
            }
        }
        func integer(_ key: String) throws -> Int {
            guard let value = monitor[key].integerValue else { throw fail("\(key) must be an integer") }
            return Int(value)
        }
        guard let status = MonitorStatus(rawValue: try string("status")) else { throw fail("status must be active, maintenance or disabled") }
        guard case .table(let config) = monitor["config"] else { throw fail("config must be a table") }
        var codes: [String] = []
        if let table = monitor["allowedCheckCountryCodes"].tableValue {
            codes = try table.array.map { guard let s = $0.stringValue else { throw fail("allowedCheckCountryCodes must hold strings") }; return s }
        }
        var port: Int?
        if !monitor["port"].isNil { port = try integer("port") }
        let configJSON: String
        do {
            configJSON = try LuaValue.table(config).jsonText(leadingKeys: MonitorConfigKeys.documentedOrder)
        } catch {
            throw fail("config cannot be stored as JSON: \(error.message)")
        }
        self.init(
            customerId: Int64(try integer("customerId")),
            fields: MonitorFields(
                name: try string("name"), hostname: try string("hostname"), port: port, checkInterval: try integer("checkInterval"),
                timeoutSeconds: try integer("timeoutSeconds"), status: status, config: configJSON,
                notificationEmail: try optionalString("notificationEmail"),
                notificationPhoneNumber: try optionalString("notificationPhoneNumber"), allowedCheckCountryCodes: codes,
                policyVersion: version))
    }
}

extension Monitor {
    var luaTable: LuaValue {
        get throws {
            let config = try LuaValue(json: fields.config.utf8)
            let values: [String: LuaValue?] = [
                "id": .integer(id), "publicId": .string(publicId.lowercasedString), "organizationId": .integer(organizationId),
                "customerId": .integer(customerId), "name": .string(fields.name), "hostname": .string(fields.hostname),
                "port": fields.port.map { .integer(Int64($0)) }, "checkInterval": .integer(Int64(fields.checkInterval)),
                "timeoutSeconds": .integer(Int64(fields.timeoutSeconds)), "status": .string(fields.status.rawValue), "config": config,
                "notificationEmail": fields.notificationEmail.map(LuaValue.string),
                "notificationPhoneNumber": fields.notificationPhoneNumber.map(LuaValue.string),
                "allowedCheckCountryCodes": .table(LuaTable(array: fields.allowedCheckCountryCodes.map(LuaValue.string))),
            ]
            // nil values are left out: inside a table they would travel as mailmon.null.
            return .table(LuaTable(fields: values.compactMapValues { $0 }))
        }
    }
}

extension PolicyDecision {
    /// What storage and the worker rely on, whatever a policy returns: a policy that breaks
    /// one is a script error naming the script and the field, and nothing is stored.
    /// These are the host's invariants, not policy: the policies' own (narrower) rules live in Lua.
    func checkInvariants(script: String) throws {
        func fail(_ field: String, _ rule: String) -> LuaScriptError {
            MonitorPolicy.contract(script, "monitor.\(field) \(rule)")
        }
        guard customerId > 0 else { throw fail("customerId", "must be a positive id (got \(customerId))") }
        let trimmed = fields.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, fields.name.count <= Self.maxNameCharacters else {
            throw fail("name", "must be 1-\(Self.maxNameCharacters) characters, not blank")
        }
        guard !Validators.hasControlCharacter(fields.name) else { throw fail("name", "must not contain control characters") }
        if let problem = Validators.hostnameProblem(fields.hostname) { throw fail("hostname", "is not a hostname or IP address: \(problem)") }
        if let port = fields.port, !(1...65_535).contains(port) { throw fail("port", "must be 1-65535 or nil (got \(port))") }
        guard Self.checkIntervalMinutes.contains(fields.checkInterval) else {
            throw fail("checkInterval", "must be \(Self.checkIntervalMinutes.lowerBound)-\(Self.checkIntervalMinutes.upperBound) minutes (got \(fields.checkInterval))")
        }
        guard (1...CheckPlan.maxTimeoutSeconds).contains(fields.timeoutSeconds) else {
            throw fail("timeoutSeconds", "must be 1-\(CheckPlan.maxTimeoutSeconds) (got \(fields.timeoutSeconds))")
        }
        for code in fields.allowedCheckCountryCodes where !Validators.isCountryCode(code) || code != code.uppercased() {
            throw fail("allowedCheckCountryCodes", "must hold upper-case ISO 3166 alpha-2 codes (got \(code))")
        }
        // The worker must be able to run what is stored: the config as the check reads it.
        let probe = Monitor(
            id: 0, publicId: UUID(), organizationId: 0, customerId: customerId, fields: fields, lastCheckedAt: nil, createdAt: Date(),
            updatedAt: Date())
        do {
            _ = try CheckPlan(monitor: probe)
        } catch {
            throw fail("config", "cannot be checked: \(error)")
        }
    }

    static let maxNameCharacters = 200
    /// One minute to 31 days.
    static let checkIntervalMinutes = 1...(31 * 24 * 60)
}
