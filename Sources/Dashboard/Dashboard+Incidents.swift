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

struct TimelineRow {
    let event: String
    let at: String
    let atISO: String
    let detail: String?
}

struct IncidentView {
    let chrome: Chrome
    let incident: IncidentRow
    let timeline: [TimelineRow]
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
        router.get("incidents/:publicId") { request, context in
            try await page(request) { me, _ in
                let (listing, timeline) = try await incidents.get(try context.parameters.require("publicId"), actor: me.principal)
                let canAcknowledge = try await access.allows(
                    .acknowledgeIncident, actor: me.principal, organizationId: listing.organizationId, customerId: listing.customerId)
                let words = [
                    "opened": "opened", "alert_sent": "alert sent", "alert_failed": "alert failed", "acknowledged": "acknowledged",
                    "resolved": "resolved",
                ]
                return pages.page(
                    "incident",
                    IncidentView(
                        chrome: me.chrome, incident: incidentRow(listing, canAcknowledge: canAcknowledge, now: Date()),
                        timeline: timeline.map { event in
                            let channel = [event.channelType, event.channelName].compactMap { $0 }.joined(separator: " ")
                            let detail = [channel.isEmpty ? nil : channel, event.detail].compactMap { $0 }.joined(separator: ": ")
                            return TimelineRow(
                                event: words[event.event] ?? event.event, at: ViewFormat.clock(event.at), atISO: ViewFormat.iso(event.at),
                                detail: detail.isEmpty ? nil : detail)
                        }))
            }
        }
        router.post("incidents/:publicId/acknowledge") { request, context in
            try await page(request, form: true) { me, form in
                let listing = try await incidents.acknowledge(try context.parameters.require("publicId"), actor: me.principal)
                let back =
                    switch form["back"] {
                    case "monitor": "/monitors/\(listing.monitorPublicId.lowercasedString)"
                    case "incident": "/incidents/\(listing.incident.publicId?.lowercasedString ?? "")"
                    default: "/incidents"
                    }
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
