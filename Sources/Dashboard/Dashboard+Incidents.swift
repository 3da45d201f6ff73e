import API
import Domain
import Engine
import Foundation
import Hummingbird

struct IncidentsLive {
    let active: [IncidentRow]
    let noActive: Bool
    let resolved: [IncidentRow]
    let noResolved: Bool
    let updatedAt: String
    let csrfToken: String
}

struct IncidentsView {
    let chrome: Chrome
    let liveURL: String
    let refreshSeconds: Int
    let live: IncidentsLive
}

extension Dashboard {
    /// `GET /incidents` (open first, then the latest resolved), its live part, and `POST /incidents/:id/acknowledge`.
    func addIncidents(to router: Router<MailmonRequestContext>) {
        router.get("incidents") { request, _ in
            try await page(request) { me, _ in
                pages.page("incidents", IncidentsView(chrome: me.chrome, liveURL: "/incidents/live", refreshSeconds: refreshSeconds,
                                                      live: try await incidentsLive(me)))
            }
        }
        router.get("incidents/live") { request, _ in
            try await page(request) { me, _ in pages.page("incidents_live", try await incidentsLive(me)) }
        }
        router.post("incidents/:publicId/acknowledge") { request, context in
            try await page(request, form: true) { me, form in
                let listing = try await incidents.acknowledge(try context.parameters.require("publicId"), actor: me.principal)
                let back = form["back"] == "monitor" ? "/monitors/\(listing.monitorPublicId.lowercasedString)" : "/incidents"
                return PageRenderer.redirect(back)
            }
        }
    }

    func incidentsLive(_ me: SignedIn, now: Date = Date()) async throws -> IncidentsLive {
        let principal = me.principal
        let active = try await incidents.list(IncidentQuery(organizationId: principal.organizationId, status: .active, perPage: 200), actor: principal)
        let resolved = try await incidents.list(IncidentQuery(organizationId: principal.organizationId, status: .resolved, perPage: 50), actor: principal)
        var acknowledgeable: [Int64: Bool] = [:]
        for listing in active.items where acknowledgeable[listing.customerId] == nil {
            acknowledgeable[listing.customerId] = try await access.allows(
                .acknowledgeIncident, actor: principal, organizationId: listing.organizationId, customerId: listing.customerId)
        }
        let activeRows = active.items.map { incidentRow($0, canAcknowledge: acknowledgeable[$0.customerId] ?? false, now: now) }
        let resolvedRows = resolved.items.map { incidentRow($0, canAcknowledge: false, now: now) }
        return IncidentsLive(
            active: activeRows, noActive: activeRows.isEmpty, resolved: resolvedRows, noResolved: resolvedRows.isEmpty,
            updatedAt: ViewFormat.clock(now), csrfToken: me.csrf)
    }
}
