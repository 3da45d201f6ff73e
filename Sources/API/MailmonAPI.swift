public import Engine
public import Hummingbird

/// Everything the HTTP API needs, passed in when the app is built.
public struct APIDependencies: Sendable {
    /// Bearer tokens and their principals, remembered briefly (see `PrincipalCache`).
    public var principals: PrincipalCache
    public var monitors: MonitorService
    public var customers: CustomerService
    public var scripts: ScriptService
    public var history: MonitorHistoryService
    public var alertChannels: AlertChannelService

    public init(
        principals: PrincipalCache, monitors: MonitorService, customers: CustomerService, scripts: ScriptService,
        history: MonitorHistoryService, alertChannels: AlertChannelService
    ) {
        self.principals = principals
        self.monitors = monitors
        self.customers = customers
        self.scripts = scripts
        self.history = history
        self.alertChannels = alertChannels
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
    ScriptRoutes(service: dependencies.scripts).add(to: api)
    return router
}
