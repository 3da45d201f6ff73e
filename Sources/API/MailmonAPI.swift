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
    public var tokens: TokenService
    public var incidents: IncidentService
    public var auditLog: AuditLogService
    /// Repeated invalid tokens from one address: slowed, then 429.
    public var authFailures: AuthFailureLimiter
    /// `/health`, `/ready` and `/metrics`.
    public var operations: OperationsEndpoints

    public init(
        principals: PrincipalCache, monitors: MonitorService, customers: CustomerService, scripts: ScriptService,
        history: MonitorHistoryService, alertChannels: AlertChannelService, tokens: TokenService, incidents: IncidentService,
        auditLog: AuditLogService, operations: OperationsEndpoints
    ) {
        self.auditLog = auditLog
        self.incidents = incidents
        self.tokens = tokens
        self.authFailures = AuthFailureLimiter()
        self.operations = operations
        self.principals = principals
        self.monitors = monitors
        self.customers = customers
        self.scripts = scripts
        self.history = history
        self.alertChannels = alertChannels
    }
}

/// Builds the router: `/health`, `/ready` and `/metrics` open (see `OperationsRoutes`), everything
/// under `/api` behind the bearer token; `pages` adds routes outside `/api` (the dashboard). Request
/// metrics go to the process's swift-metrics factory.
public func buildRouter(
    _ dependencies: APIDependencies, pages: ((Router<MailmonRequestContext>) -> Void)? = nil
) -> Router<MailmonRequestContext> {
    let router = Router(context: MailmonRequestContext.self)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: ErrorMiddleware())
    let known = MethodNotAllowedMiddleware.Routes()
    router.add(middleware: MethodNotAllowedMiddleware(routes: known))
    OperationsRoutes(endpoints: dependencies.operations).add(to: router)
    let api = router.group("api").add(middleware: BearerAuthMiddleware(principals: dependencies.principals, limiter: dependencies.authFailures))
    MonitorRoutes(service: dependencies.monitors).add(to: api)
    MonitorHistoryRoutes(service: dependencies.history).add(to: api)
    AlertChannelRoutes(service: dependencies.alertChannels).add(to: api)
    CustomerRoutes(service: dependencies.customers).add(to: api)
    ScriptRoutes(service: dependencies.scripts).add(to: api)
    TokenRoutes(service: dependencies.tokens).add(to: api)
    IncidentRoutes(service: dependencies.incidents).add(to: api)
    AuditLogRoutes(service: dependencies.auditLog).add(to: api)
    pages?(router)
    known.set(router.routes.map { ($0.method.rawValue, "\($0.path)") })
    return router
}
