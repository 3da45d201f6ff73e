import Foundation
@testable import SQLiteStore
import Domain
import Testing

/// A monitor update is decided on the monitor as read; it is written only if nothing changed it since.
@Suite("Conditional monitor updates")
struct MonitorUpdateTests {
    @Test("an update decided on a state another write has since replaced is not written; the current state is")
    func changedMeanwhile() async throws {
        let file = TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let organization = try await database.ensureDefaultOrganization(name: "Org").id
        let customerId = try await database.insertCustomer(
            NewCustomer(publicId: UUID(), organizationId: organization, name: "C", email: nil, allowedCheckCountryCodes: [],
                        alertLocationThresholdCount: 1)).id
        let now = Date()
        let read = try #require(
            try await database.insertMonitor(
                publicId: UUID(), organizationId: organization, customerId: customerId, fields: .sample("first"), at: now))

        // Two updates decided on the same read, in the same millisecond: the first wins, the second is told.
        guard case .updated(let first) = try await database.updateMonitor(id: read.id, fields: .sample("a"), at: now, ifUpdatedAt: read.updatedAt)
        else { Issue.record("the first update was not written"); return }
        #expect(first.fields.name == "a" && first.updatedAt > read.updatedAt)
        guard case .changedMeanwhile = try await database.updateMonitor(id: read.id, fields: .sample("b"), at: now, ifUpdatedAt: read.updatedAt)
        else { Issue.record("a stale update was written over the first one"); return }
        #expect(try await database.monitor(publicId: read.publicId)?.fields.name == "a")

        // Decided again on what is stored now, it goes through.
        guard case .updated(let second) = try await database.updateMonitor(id: read.id, fields: .sample("b"), at: now, ifUpdatedAt: first.updatedAt)
        else { Issue.record("the update on the current state was refused"); return }
        #expect(second.fields.name == "b")
        guard case .notFound = try await database.updateMonitor(id: read.id + 100, fields: .sample("x"), at: now, ifUpdatedAt: now)
        else { Issue.record("an unknown monitor was not reported"); return }
    }
}
