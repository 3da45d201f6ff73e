public import API
public import Dashboard
import Engine

extension Dashboard {
    /// The dashboard on the same services (and the same failed-sign-in limiter) as the API it sits beside.
    public init(runtime: MailmonRuntime, api: APIDependencies, refreshSeconds: Int = 5) throws {
        try self.init(
            principals: api.principals, monitors: api.monitors, customers: api.customers, history: api.history, incidents: api.incidents,
            scripts: api.scripts,
            statusPages: StatusPageService(
                customers: runtime.database, monitors: runtime.database, statistics: runtime.database, incidents: runtime.database),
            access: AccessPolicy(library: runtime.library), failures: api.authFailures, refreshSeconds: refreshSeconds)
    }
}
