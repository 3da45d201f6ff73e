public import Foundation

/// A customer's public status page: at `/status/<slug>`, opt-in per customer.
public struct StatusPageSetting: Sendable, Hashable {
    /// Unguessable when generated; chosen by the operator otherwise. Unique across the installation.
    public var slug: String
    /// Whether the page shows the monitors' hostnames (never users or passwords).
    public var showHostnames: Bool

    public init(slug: String, showHostnames: Bool = false) {
        self.slug = slug
        self.showHostnames = showHostnames
    }
}

public struct Customer: Sendable, Hashable {
    public var id: Int64
    public var publicId: UUID
    public var organizationId: Int64
    public var name: String
    public var email: String?
    public var allowedCheckCountryCodes: [String]
    /// Consecutive failures before an incident opens.
    public var alertLocationThresholdCount: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// nil: no status page.
    public var statusPage: StatusPageSetting?

    public init(
        id: Int64, publicId: UUID, organizationId: Int64, name: String, email: String? = nil, allowedCheckCountryCodes: [String],
        alertLocationThresholdCount: Int, createdAt: Date, updatedAt: Date, statusPage: StatusPageSetting? = nil
    ) {
        self.statusPage = statusPage
        self.id = id
        self.publicId = publicId
        self.organizationId = organizationId
        self.name = name
        self.email = email
        self.allowedCheckCountryCodes = allowedCheckCountryCodes
        self.alertLocationThresholdCount = alertLocationThresholdCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public struct NewCustomer: Sendable {
    public var publicId: UUID
    public var organizationId: Int64
    public var name: String
    public var email: String?
    public var allowedCheckCountryCodes: [String]
    public var alertLocationThresholdCount: Int
    public var statusPage: StatusPageSetting?

    public init(
        publicId: UUID, organizationId: Int64, name: String, email: String?, allowedCheckCountryCodes: [String],
        alertLocationThresholdCount: Int, statusPage: StatusPageSetting? = nil
    ) {
        self.statusPage = statusPage
        self.publicId = publicId
        self.organizationId = organizationId
        self.name = name
        self.email = email
        self.allowedCheckCountryCodes = allowedCheckCountryCodes
        self.alertLocationThresholdCount = alertLocationThresholdCount
    }
}

/// One page of a list.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var total: Int
    public var page: Int
    public var perPage: Int

    public init(items: [Item], total: Int, page: Int, perPage: Int) {
        self.items = items
        self.total = total
        self.page = page
        self.perPage = perPage
    }
}

public enum StoreError: Error, Sendable, Equatable {
    /// A unique value (a publicId) is already taken.
    case conflict(String)
    case notFound(String)
}

public protocol CustomerRepository: Sendable {
    func insertCustomer(_ customer: NewCustomer, audit: AuditRecord?) async throws -> Customer
    /// Writes the customer's changeable fields (name, email, country codes, threshold, status page); nil
    /// when it is gone; `StoreError.conflict` when another customer has the status page's slug.
    func updateCustomer(_ customer: Customer, at: Date, audit: AuditRecord?) async throws -> Customer?
    /// Deletes the customer with everything of it: its monitors (and their history), its alert
    /// channels and its tokens. False when it is gone.
    func deleteCustomer(id: Int64, audit: AuditRecord?) async throws -> Bool
    func customer(id: Int64) async throws -> Customer?
    /// The customer with this publicId in `organizationId` (publicIds are unique per organization);
    /// nil organization: the first in any (a global supporter's read).
    func customer(publicId: UUID, organizationId: Int64?) async throws -> Customer?
    /// The customer whose status page is at this slug.
    func customer(statusPageSlug: String) async throws -> Customer?
    /// Customers of an organization (nil: all), optionally only one, filtered by a name/email substring.
    func customers(organizationId: Int64?, onlyCustomerId: Int64?, search: String?, page: Int, perPage: Int) async throws -> Page<Customer>
}
