public import API
public import Engine
public import Notifiers

extension APIDependencies {
    /// Everything from one runtime (the worker settings shape triggered checks).
    /// `operations`: `/health`, `/ready` and `/metrics` (by default: this process serves only the API).
    public init(
        runtime: MailmonRuntime, settings: WorkerSettings = WorkerSettings(), operations: OperationsEndpoints? = nil,
        senders: AlertSenders? = try? AlertSenders.configured(smtp: nil, sms: nil)
    ) {
        self.init(
            principals: PrincipalCache(access: runtime.database), monitors: runtime.monitors, customers: runtime.customers,
            scripts: ScriptService(library: runtime.library, audit: runtime.database), history: runtime.history(settings: settings),
            alertChannels: AlertChannelService(
                channels: runtime.database, customers: runtime.database, access: AccessPolicy(library: runtime.library), senders: senders),
            tokens: TokenService(access: runtime.database, customers: runtime.database, policy: AccessPolicy(library: runtime.library)),
            incidents: IncidentService(
                incidents: runtime.database, monitors: runtime.database, customers: runtime.database, access: runtime.database,
                policy: AccessPolicy(library: runtime.library), logger: runtime.logger),
            auditLog: AuditLogService(audit: runtime.database, customers: runtime.database, policy: AccessPolicy(library: runtime.library)),
            operations: operations ?? runtime.operations(runsWorker: false))
    }
}
