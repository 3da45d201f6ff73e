import Foundation
import GRDB
@testable import Store
import Testing

/// A monitor update is decided on the monitor as read; it is written only if nothing changed it since.
@Suite("Conditional monitor updates")
struct MonitorUpdateTests {
    static func fields(_ name: String) -> MonitorFields {
        MonitorFields(
            name: name, hostname: "mail.example.com", port: nil, checkInterval: 30, timeoutSeconds: 30, status: .active,
            config: #"{"protocol":"imap"}"#, notificationEmail: nil, notificationPhoneNumber: nil, allowedCheckCountryCodes: [],
            policyVersion: "test@1")
    }

    @Test("an update decided on a state another write has since replaced is not written; the current state is")
    func changedMeanwhile() async throws {
        let file = TemporaryDatabase()
        defer { file.remove() }
        let database = try file.open()
        let organization = try await database.createOrganization(name: "o")
        let customerId = try await database.pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO customer (publicId, organizationId, name, allowedCheckCountryCodes, alertLocationThresholdCount,
                      createdAt, updatedAt) VALUES (?, ?, 'c', '', 1, 0, 0)
                    """, arguments: [UUID().uuidString.lowercased(), organization])
            return db.lastInsertedRowID
        }
        let now = Date()
        let read = try #require(
            try await database.insertMonitor(
                publicId: UUID(), organizationId: organization, customerId: customerId, fields: Self.fields("first"), at: now))

        // Two updates decided on the same read, in the same millisecond: the first wins, the second is told.
        guard case .updated(let first) = try await database.updateMonitor(id: read.id, fields: Self.fields("a"), at: now, ifUpdatedAt: read.updatedAt)
        else { Issue.record("the first update was not written"); return }
        #expect(first.fields.name == "a" && first.updatedAt > read.updatedAt)
        guard case .changedMeanwhile = try await database.updateMonitor(id: read.id, fields: Self.fields("b"), at: now, ifUpdatedAt: read.updatedAt)
        else { Issue.record("a stale update was written over the first one"); return }
        #expect(try await database.monitor(publicId: read.publicId)?.fields.name == "a")

        // Decided again on what is stored now, it goes through.
        guard case .updated(let second) = try await database.updateMonitor(id: read.id, fields: Self.fields("b"), at: now, ifUpdatedAt: first.updatedAt)
        else { Issue.record("the update on the current state was refused"); return }
        #expect(second.fields.name == "b")
        guard case .notFound = try await database.updateMonitor(id: read.id + 100, fields: Self.fields("x"), at: now, ifUpdatedAt: now)
        else { Issue.record("an unknown monitor was not reported"); return }
    }
}
