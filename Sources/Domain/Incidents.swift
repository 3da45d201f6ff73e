public import Foundation

/// Incidents across an organization: the filters of `GET /api/incidents`.
public struct IncidentQuery: Sendable, Hashable {
    public var organizationId: Int64
    public var customerId: Int64?
    public var monitorId: Int64?
    public var status: IncidentStatus?
    public var type: String?
    public var page: Int
    public var perPage: Int

    public init(
        organizationId: Int64, customerId: Int64? = nil, monitorId: Int64? = nil, status: IncidentStatus? = nil, type: String? = nil,
        page: Int = 1, perPage: Int = 50
    ) {
        self.organizationId = organizationId
        self.customerId = customerId
        self.monitorId = monitorId
        self.status = status
        self.type = type
        self.page = page
        self.perPage = perPage
    }
}

/// An incident with the monitor and customer it belongs to.
public struct IncidentListing: Sendable, Hashable {
    public var incident: Incident
    public var organizationId: Int64
    public var monitorPublicId: UUID
    public var monitorName: String
    public var customerId: Int64
    public var customerPublicId: UUID
    public var customerName: String

    public init(
        incident: Incident, organizationId: Int64, monitorPublicId: UUID, monitorName: String, customerId: Int64, customerPublicId: UUID,
        customerName: String
    ) {
        self.incident = incident
        self.organizationId = organizationId
        self.monitorPublicId = monitorPublicId
        self.monitorName = monitorName
        self.customerId = customerId
        self.customerPublicId = customerPublicId
        self.customerName = customerName
    }
}

public protocol IncidentRepository: Sendable {
    /// A page of incidents, newest first.
    func incidents(_ query: IncidentQuery) async throws -> Page<IncidentListing>
    func incident(publicId: UUID) async throws -> IncidentListing?
    /// Records the first acknowledgement (a later one keeps the first); the incident as it is now, nil if gone.
    func acknowledgeIncident(id: Int64, at: Date, by: String, audit: AuditRecord?) async throws -> Incident?
    /// Every alert attempt for the incident, oldest first.
    func alertAttempts(incidentId: Int64) async throws -> [AlertAttempt]
}
