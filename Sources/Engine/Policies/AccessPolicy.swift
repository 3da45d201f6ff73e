public import Domain
public import LuaHost

/// Asks `policies/access` (`decide(input)`) whether an actor may do something the monitor
/// policies do not decide: read a monitor or customer, list, delete, check on demand, create
/// customers, change alert channels. The rules are Lua's; a failing script fails the request
/// (nothing is allowed by default).
public struct AccessPolicy: Sendable {
    public static let script = "policies/access"

    public enum Action: String, Sendable {
        case readMonitor = "read_monitor"
        case readCustomer = "read_customer"
        case listMonitors = "list_monitors"
        case deleteMonitor = "delete_monitor"
        case triggerCheck = "trigger_check"
        case createCustomer = "create_customer"
        case changeChannel = "change_channel"
        /// Whether the actor sees a monitor's or channel's secrets in clear (else they are masked).
        case readSecrets = "read_secrets"
        /// API tokens, on the organization or the customer route (`extra["route"]`).
        case listTokens = "list_tokens"
        case createToken = "create_token"
        case revokeToken = "revoke_token"
        /// Acknowledging an incident of a monitor (stops reminders; recorded with who and when).
        case acknowledgeIncident = "acknowledge_incident"
        /// Reading the organization's audit log.
        case readAuditLog = "read_audit_log"
        /// Changing a customer's name, e-mail, country codes or threshold.
        case updateCustomer = "update_customer"
        /// Deleting a customer; `extra`: `monitorCount` and `deleteMonitors` (the request asks to take its monitors along).
        case deleteCustomer = "delete_customer"
    }

    let library: ScriptLibrary

    public init(library: ScriptLibrary) {
        self.library = library
    }

    /// Whether the action is allowed (a rejection is false; a failing script still throws).
    public func allows(_ action: Action, actor: Principal, organizationId: Int64? = nil, customerId: Int64? = nil) async throws -> Bool {
        do {
            try await require(action, actor: actor, organizationId: organizationId, customerId: customerId)
            return true
        } catch let error as DomainError {
            if case .rejectedByPolicy = error.kind { return false }
            throw error
        }
    }

    /// Whether the actor sees secrets in clear, asked once per organization and customer (a page
    /// of monitors or channels shares a few).
    public struct SecretsVisibility {
        let access: AccessPolicy
        let actor: Principal
        private var answers: [String: Bool] = [:]

        init(access: AccessPolicy, actor: Principal) {
            self.access = access
            self.actor = actor
        }

        public mutating func allowed(organizationId: Int64, customerId: Int64?) async throws -> Bool {
            let key = "\(organizationId)/\(customerId.map(String.init) ?? "-")"
            if let known = answers[key] { return known }
            let answer = try await access.allows(.readSecrets, actor: actor, organizationId: organizationId, customerId: customerId)
            answers[key] = answer
            return answer
        }
    }

    public func secretsVisibility(for actor: Principal) -> SecretsVisibility { SecretsVisibility(access: self, actor: actor) }

    /// Throws the policy's rejection (its status kept) unless the action is allowed on a thing of
    /// `organizationId` and `customerId` (nil: organization-wide, or no filter when listing).
    /// `extra`: further keys of the input (`route`, `token`). Returns `policies/access@version`,
    /// the script that allowed it (for the audit log).
    @discardableResult
    public func require(
        _ action: Action, actor: Principal, organizationId: Int64? = nil, customerId: Int64? = nil, extra: [String: LuaValue] = [:]
    ) async throws -> String {
        var target = LuaTable()
        if let organizationId { target["organizationId"] = .integer(organizationId) }
        if let customerId { target["customerId"] = .integer(customerId) }
        var fields: [String: LuaValue] = ["action": .string(action.rawValue), "actor": actor.luaTable, "target": .table(target)]
        fields.merge(extra) { current, _ in current }
        let input = LuaValue.table(LuaTable(fields: fields))
        let (results, version) = try await library.callVersioned(Self.script, "decide", [input])
        let result = results.first ?? .nil
        switch result {
        case .nil:
            return version.map { "\(Self.script)@\($0)" } ?? Self.script
        case .table(let table):
            guard let reject = table["reject"].tableValue else {
                throw LuaScriptError(kind: .contract, script: Self.script + ".lua", message: "decide() must return nil or {reject = …}")
            }
            throw PolicyRejection.error(reject, script: Self.script, defaultStatus: 403)
        default:
            throw LuaScriptError(kind: .contract, script: Self.script + ".lua", message: "decide() must return nil or a table, got \(result.typeName)")
        }
    }
}
