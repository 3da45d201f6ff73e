public import API
public import Engine
public import Hummingbird
import Foundation

/// The web dashboard on the API's port: the fleet, one monitor, incidents, customers, the scripts,
/// and the monitor form, server-rendered from templates compiled into the binary; and the customers'
/// public status pages (`/status/<slug>`, no sign-in). A browser signs
/// in with an API token (`DashboardSessions`); every page acts as that token, through the same
/// services and Lua policies as the API, so a readonly token sees and cannot change.
public struct Dashboard: Sendable {
    let principals: PrincipalCache
    let monitors: MonitorService
    let customers: CustomerService
    let history: MonitorHistoryService
    let incidents: IncidentService
    let scripts: ScriptService
    let statusPages: StatusPageService
    let statusHTML = StatusPageHTML()
    let access: AccessPolicy
    let sessions: DashboardSessions
    let failures: AuthFailureLimiter
    let pages: PageRenderer
    /// Seconds between a page's refreshes of its live part.
    let refreshSeconds: Int

    public init(
        principals: PrincipalCache, monitors: MonitorService, customers: CustomerService, history: MonitorHistoryService,
        incidents: IncidentService, scripts: ScriptService, statusPages: StatusPageService, access: AccessPolicy, failures: AuthFailureLimiter,
        sessions: DashboardSessions = DashboardSessions(), refreshSeconds: Int = 5
    ) throws {
        self.principals = principals
        self.monitors = monitors
        self.customers = customers
        self.history = history
        self.incidents = incidents
        self.scripts = scripts
        self.statusPages = statusPages
        self.access = access
        self.failures = failures
        self.sessions = sessions
        self.pages = try PageRenderer()
        self.refreshSeconds = refreshSeconds
    }

    /// Adds the pages to the API's router (`buildRouter(_:pages:)`).
    public func add(to router: Router<MailmonRequestContext>) {
        addAssets(to: router)
        addSignIn(to: router)
        addFleet(to: router)
        addMonitorPages(to: router)
        addMonitorForm(to: router)
        addIncidents(to: router)
        addListings(to: router)
        addStatusPages(to: router)
    }
}
