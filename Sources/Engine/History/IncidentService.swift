public import Foundation
public import Domain
import LuaHost
public import Logging

/// `GET /api/incidents`, `GET /api/incidents/:publicId` (with its timeline) and acknowledgement.
/// Reading follows `read_monitor` (another organization's or customer's incident is a 404);
/// acknowledging is `acknowledge_incident` in `policies/access`.
public struct IncidentService: Sendable {
    /// One event of an incident's life, oldest first.
    public struct TimelineEvent: Sendable, Hashable {
        /// `opened`, `alert_sent`, `alert_failed`, `acknowledged` or `resolved`.
        public var event: String
        public var at: Date
        public var detail: String?
        public var channelType: String?
        public var channelName: String?
    }

    let incidents: any IncidentRepository
    let monitors: any MonitorRepository
    let customers: any CustomerRepository
    let access: any AccessRepository
    let policy: AccessPolicy
    let clock: @Sendable () -> Date
    let logger: Logger

    public init(
        incidents: any IncidentRepository, monitors: any MonitorRepository, customers: any CustomerRepository, access: any AccessRepository,
        policy: AccessPolicy, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "mailmon")
    ) {
        self.logger = logger
        self.incidents = incidents
        self.monitors = monitors
        self.customers = customers
        self.access = access
        self.policy = policy
        self.clock = clock
    }

    /// The filters as the query string gives them: `status` (active, resolved), `customerId` (id or UUID),
    /// `monitorId` (the monitor's UUID), `type`. An id of another organization is refused like an unknown one.
    public func list(
        status: String?, customer: String?, monitor: String?, type: String?, page: Int, perPage: Int, actor: Principal
    ) async throws -> Page<IncidentListing> {
        var query = IncidentQuery(organizationId: actor.organizationId, page: page, perPage: perPage)
        if let status {
            guard let parsed = IncidentStatus(rawValue: status) else { throw DomainError.badRequest("status must be active or resolved", field: "status") }
            query.status = parsed
        }
        if let customer {
            query.customerId = try await CustomerLookup.filter(customer, in: customers, organizationId: actor.organizationId).id
        }
        if let monitor {
            guard let uuid = UUID(text: monitor) else {
                throw DomainError.badRequest("Invalid monitor ID: expected the monitor's publicId", field: "monitorId")
            }
            guard let found = try await monitors.monitor(publicId: uuid), found.organizationId == actor.organizationId
            else { throw DomainError.notFound("Monitor not found") }
            query.monitorId = found.id
        }
        if let type {
            guard (1...64).contains(type.count) else { throw DomainError.badRequest("type must be 1-64 characters", field: "type") }
            query.type = type
        }
        return try await list(query, actor: actor)
    }

    /// Newest first, within the actor's organization (and customer, for a scoped token).
    public func list(_ query: IncidentQuery, actor: Principal) async throws -> Page<IncidentListing> {
        var query = query
        query.organizationId = actor.organizationId
        if let scope = actor.customerId {
            if let asked = query.customerId, asked != scope { return Page(items: [], total: 0, page: query.page, perPage: query.perPage) }
            query.customerId = scope
        }
        return try await incidents.incidents(query)
    }

    public func get(_ publicId: String, actor: Principal) async throws -> (IncidentListing, [TimelineEvent]) {
        let listing = try await find(publicId, actor: actor)
        return (listing, try await timeline(listing))
    }

    public func acknowledge(_ publicId: String, actor: Principal) async throws -> IncidentListing {
        var listing = try await find(publicId, actor: actor)
        let version = try await policy.require(
            .acknowledgeIncident, actor: actor, organizationId: listing.organizationId, customerId: listing.customerId)
        let name = try await access.tokens(organizationId: actor.organizationId).first { $0.id == actor.tokenId }?.userName ?? "token \(actor.tokenId)"
        let wasAcknowledged = listing.incident.acknowledgedAt != nil
        let audit = AuditRecord(
            actor, action: "incident.acknowledge", targetType: "incident", targetId: listing.incident.publicId?.lowercasedString,
            customerId: listing.customerId, policyVersion: version, at: clock())
        guard let incident = try await incidents.acknowledgeIncident(id: listing.incident.id, at: clock(), by: name, audit: audit) else {
            throw DomainError.notFound("Incident not found")
        }
        if !wasAcknowledged, incident.acknowledgedBy == name {
            logger.info(
                "incident acknowledged",
                metadata: [
                    "monitor": "\(listing.monitorPublicId.lowercasedString)", "customerId": "\(listing.customerId)",
                    "category": "\(incident.type)", "incident": "\(incident.id)", "by": "\(name)",
                ])
        }
        listing.incident = incident
        return listing
    }

    private func find(_ publicId: String, actor: Principal) async throws -> IncidentListing {
        guard let uuid = UUID(text: publicId) else { throw DomainError.badRequest("Incident public ID (UUID) required") }
        guard let listing = try await incidents.incident(publicId: uuid) else { throw DomainError.notFound("Incident not found") }
        try await policy.require(.readMonitor, actor: actor, organizationId: listing.organizationId, customerId: listing.customerId)
        return listing
    }

    private func timeline(_ listing: IncidentListing) async throws -> [TimelineEvent] {
        let incident = listing.incident
        var events = [TimelineEvent(event: "opened", at: incident.startedAt, detail: incident.message)]
        for attempt in try await incidents.alertAttempts(incidentId: incident.id) {
            events.append(
                TimelineEvent(
                    event: attempt.status == "sent" ? "alert_sent" : "alert_failed", at: attempt.sentAt ?? incident.startedAt,
                    detail: attempt.errorMessage, channelType: attempt.type, channelName: attempt.channelName))
        }
        if let at = incident.acknowledgedAt { events.append(TimelineEvent(event: "acknowledged", at: at, detail: incident.acknowledgedBy)) }
        if let at = incident.endedAt { events.append(TimelineEvent(event: "resolved", at: at)) }
        return events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }
}
