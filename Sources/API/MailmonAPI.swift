public import Engine
public import Hummingbird
public import LuaHost

/// Everything the HTTP API needs, passed in when the app is built.
public struct APIDependencies: Sendable {
    /// Bearer tokens and their principals, remembered briefly (see `PrincipalCache`).
    public var principals: PrincipalCache
    public var monitors: MonitorService
    public var customers: CustomerService
    public var scripts: ScriptLibrary
    public var history: MonitorHistoryService
    public var alertChannels: AlertChannelService

    public init(
        principals: PrincipalCache, monitors: MonitorService, customers: CustomerService, scripts: ScriptLibrary,
        history: MonitorHistoryService, alertChannels: AlertChannelService
    ) {
        self.principals = principals
        self.monitors = monitors
        self.customers = customers
        self.scripts = scripts
        self.history = history
        self.alertChannels = alertChannels
    }

    /// Everything from one runtime (the worker settings shape triggered checks).
    public init(runtime: MailmonRuntime, settings: WorkerSettings = WorkerSettings()) {
        self.init(
            principals: PrincipalCache(access: runtime.database), monitors: runtime.monitors, customers: runtime.customers, scripts: runtime.library,
            history: runtime.history(settings: settings),
            alertChannels: AlertChannelService(channels: runtime.database, customers: runtime.database))
    }
}

/// Builds the router: `/health` open, everything under `/api` behind the bearer token.
public func buildRouter(_ dependencies: APIDependencies) -> Router<MailmonRequestContext> {
    let router = Router(context: MailmonRequestContext.self)
    router.add(middleware: ErrorMiddleware())
    router.get("health") { _, _ in Response.json { json in json.object { json in json.field("status", "ok") } } }
    let api = router.group("api").add(middleware: BearerAuthMiddleware(principals: dependencies.principals))
    MonitorRoutes(service: dependencies.monitors).add(to: api)
    MonitorHistoryRoutes(service: dependencies.history).add(to: api)
    AlertChannelRoutes(service: dependencies.alertChannels).add(to: api)
    CustomerRoutes(service: dependencies.customers).add(to: api)
    ScriptRoutes(library: dependencies.scripts).add(to: api)
    return router
}
