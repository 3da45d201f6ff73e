import Domain
import Foundation
import Testing

/// Audit entries are written in the change's own transaction: a change that takes effect has
/// exactly one, one that does not (another organization's customer, a write in between, a row
/// already gone) has none, and what the write returns is unaffected by the entry beside it.
@Suite("Contract: audit log (AuditRepository and the audited writes)")
struct AuditContractTests {
    @Test("each audited write records its entry only when it takes effect; entries page newest first and filter", arguments: StoreKind.allCases)
    func writesRecordEntries(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let actor = try await store.access.createUserWithToken(
                NewToken(organizationId: organization, userName: "alice", role: .admin, globalSupporter: false, customerId: nil,
                         prefix: "mm_alice", hash: String(repeating: "a", count: 64)))
            func record(_ action: String, _ type: String, _ target: String?, customerId: Int64? = nil, changes: [String] = [], at seconds: TimeInterval)
                -> AuditRecord
            {
                AuditRecord(
                    organizationId: organization, userId: actor.userId, tokenId: actor.tokenId, action: action, targetType: type, targetId: target,
                    customerId: customerId, policyVersion: "policies/x@1.0.0", requestId: "req-\(action)", changes: changes, at: Fixed.at(seconds))
            }
            let customerId = UUID()
            let customer = try await store.customers.insertCustomer(
                NewCustomer(publicId: customerId, organizationId: organization, name: "Acme", email: nil, allowedCheckCountryCodes: [],
                            alertLocationThresholdCount: 1),
                audit: record("customer.create", "customer", customerId.lowercasedString, at: 1))
            let publicId = UUID()
            let monitor = try #require(
                try await store.monitors.insertMonitor(
                    publicId: publicId, organizationId: organization, customerId: customer.id, fields: .sample("Inbox"), at: Fixed.at(2),
                    audit: record("monitor.create", "monitor", publicId.lowercasedString, customerId: customer.id, at: 2)))
            // The monitor returned is the one stored (its id is the monitor's, not the entry's).
            #expect(try await store.monitors.monitor(publicId: publicId) == monitor)

            // Writes that do not take effect record nothing.
            let second = try await store.createOrganization("Second")
            let foreign = try await store.addCustomer(organizationId: second)
            #expect(
                try await store.monitors.insertMonitor(
                    publicId: UUID(), organizationId: organization, customerId: foreign.id, fields: .sample("x"), at: Fixed.at(3),
                    audit: record("monitor.create", "monitor", "refused", at: 3)) == nil)
            var renamed = monitor.fields
            renamed.name = "Renamed"
            guard case .changedMeanwhile = try await store.monitors.updateMonitor(
                id: monitor.id, fields: renamed, at: Fixed.at(4), ifUpdatedAt: Fixed.at(-100),
                audit: record("monitor.update", "monitor", "stale", at: 4))
            else { Issue.record("a stale update wrote"); return }
            guard case .updated = try await store.monitors.updateMonitor(
                id: monitor.id, fields: renamed, at: Fixed.at(5), ifUpdatedAt: monitor.updatedAt,
                audit: record("monitor.update", "monitor", publicId.lowercasedString, customerId: customer.id, changes: ["name"], at: 5))
            else { Issue.record("the update did not write"); return }
            let channel = try await store.alerts.addAlertChannel(
                organizationId: organization, customerId: nil, type: .webhook, name: "ops", url: "https://example.com/k", at: Fixed.at(6),
                audit: record("channel.create", "channel", nil, at: 6))
            #expect(try await store.alerts.deleteAlertChannel(id: channel.id, organizationId: organization, audit: record("channel.delete", "channel", "\(channel.id)", at: 7)))
            #expect(!(try await store.alerts.deleteAlertChannel(id: channel.id, organizationId: organization, audit: record("channel.delete", "channel", "gone", at: 8))))
            #expect(try await store.monitors.deleteMonitor(id: monitor.id, audit: record("monitor.delete", "monitor", publicId.lowercasedString, customerId: customer.id, at: 9)))
            #expect(!(try await store.monitors.deleteMonitor(id: monitor.id, audit: record("monitor.delete", "monitor", "gone", at: 10))))
            #expect(!(try await store.access.revokeToken(id: actor.tokenId + 1000, audit: record("token.revoke", "token", "gone", at: 11))))

            let page = try await store.audit.auditEntries(AuditQuery(organizationId: organization))
            #expect(page.items.map(\.record.action) == [
                "monitor.delete", "channel.delete", "channel.create", "monitor.update", "monitor.create", "customer.create",
            ])
            #expect(page.total == 6)
            #expect(page.items.first { $0.record.action == "channel.create" }?.record.targetId == "\(channel.id)", "the store fills in the new id")
            let update = try #require(page.items.first { $0.record.action == "monitor.update" })
            #expect(update.record == record("monitor.update", "monitor", publicId.lowercasedString, customerId: customer.id, changes: ["name"], at: 5))
            #expect(update.userName == "alice" && update.tokenPrefix == "mm_alice" && update.customerPublicId == customerId)

            // Filters and paging.
            #expect(try await store.audit.auditEntries(AuditQuery(organizationId: organization, targetId: publicId.lowercasedString)).total == 3)
            #expect(try await store.audit.auditEntries(AuditQuery(organizationId: organization, customerId: customer.id)).total == 3)
            #expect(try await store.audit.auditEntries(AuditQuery(organizationId: organization, action: "channel.create", targetType: "channel")).total == 1)
            #expect(try await store.audit.auditEntries(AuditQuery(organizationId: organization, since: Fixed.at(5), until: Fixed.at(7))).total == 2)
            #expect(try await store.audit.auditEntries(AuditQuery(organizationId: organization, tokenId: actor.tokenId + 1)).total == 0)
            let second2 = try await store.audit.auditEntries(AuditQuery(organizationId: organization, page: 2, perPage: 4))
            #expect(second2.items.map(\.record.action) == ["monitor.create", "customer.create"] && second2.total == 6)
            #expect(try await store.audit.auditEntries(AuditQuery(organizationId: second)).total == 0)
        }
    }
}
