import Domain
import Foundation
import Testing

@Suite("Contract: alert channels, the outbox and the alert history (AlertRepository)")
struct AlertContractTests {
    /// A monitor with an open incident and `count` owed deliveries, queued at `Fixed.at(60)`.
    static func owedDeliveries(_ store: ContractStore, count: Int) async throws -> (Monitor, Incident) {
        let organization = try await store.organization()
        let customer = try await store.addCustomer(organizationId: organization)
        let monitor = try await store.addMonitor(customer)
        let recorded = try #require(
            try await store.history.recordCheck(
                monitorId: monitor.id,
                outcome: CheckOutcome(
                    result: .sample(at: Fixed.at(60), ok: false, category: "timeout"), nextCheckAt: Fixed.at(120),
                    open: [.init(type: "timeout", message: nil)],
                    deliveries: (1...count).map { .email(.opened(type: "timeout"), subject: "d\($0)") })))
        #expect(recorded.deliveriesQueued == count)
        return (monitor, try #require(recorded.opened.first))
    }

    @Test("alert channels: the organization's apply to every customer, a customer's only to it; deleted only by their organization",
          arguments: StoreKind.allCases)
    func channels(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let second = try await store.createOrganization("Second")
            let acme = try await store.addCustomer(organizationId: organization, name: "Acme")
            let globex = try await store.addCustomer(organizationId: organization, name: "Globex")
            let shared = try await store.alerts.addAlertChannel(
                organizationId: organization, customerId: nil, type: .webhook, name: "ops", url: "https://hooks.example/ops", at: Fixed.t0)
            let acmeOnly = try await store.alerts.addAlertChannel(
                organizationId: organization, customerId: acme.id, type: .slack, name: "acme", url: "https://hooks.example/acme",
                at: Fixed.at(1))
            let globexOnly = try await store.alerts.addAlertChannel(
                organizationId: organization, customerId: globex.id, type: .webhook, name: "globex", url: "https://hooks.example/globex",
                at: Fixed.at(2))
            let foreign = try await store.alerts.addAlertChannel(
                organizationId: second, customerId: nil, type: .webhook, name: "foreign", url: "https://hooks.example/foreign", at: Fixed.at(3))
            #expect(shared.organizationId == organization && shared.customerId == nil && shared.type == .webhook)
            #expect(shared.name == "ops" && shared.url == "https://hooks.example/ops" && shared.createdAt == Fixed.t0)
            #expect(acmeOnly.customerId == acme.id && acmeOnly.type == .slack)

            #expect(Set(try await store.alerts.alertChannels(organizationId: organization, customerId: nil)) == [shared])
            #expect(Set(try await store.alerts.alertChannels(organizationId: organization, customerId: acme.id)) == [shared, acmeOnly])
            #expect(Set(try await store.alerts.alertChannels(organizationId: organization, customerId: globex.id)) == [shared, globexOnly])
            #expect(Set(try await store.alerts.allAlertChannels(organizationId: organization)) == [shared, acmeOnly, globexOnly])
            #expect(try await store.alerts.allAlertChannels(organizationId: second) == [foreign])

            // Another organization cannot delete it.
            #expect(try await !store.alerts.deleteAlertChannel(id: acmeOnly.id, organizationId: second))
            #expect(try await store.alerts.alertChannels(organizationId: organization, customerId: acme.id).contains(acmeOnly))
            #expect(try await store.alerts.deleteAlertChannel(id: acmeOnly.id, organizationId: organization))
            #expect(Set(try await store.alerts.alertChannels(organizationId: organization, customerId: acme.id)) == [shared])
            #expect(try await !store.alerts.deleteAlertChannel(id: acmeOnly.id, organizationId: organization))
            #expect(Set(try await store.alerts.allAlertChannels(organizationId: organization)) == [shared, globexOnly])
        }
    }

    @Test("dueDeliveries lists owed deliveries due at now, oldest first, without taking them", arguments: StoreKind.allCases)
    func dueDeliveriesRead(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await Self.owedDeliveries(store, count: 3)
            #expect(try await store.alerts.dueDeliveries(now: Fixed.at(59), limit: 10).isEmpty)
            let due = try await store.alerts.dueDeliveries(now: Fixed.at(60), limit: 2)
            #expect(due.map(\.subject) == ["d1", "d2"])
            #expect(try await store.alerts.dueDeliveries(now: Fixed.at(60), limit: 10).map(\.subject) == ["d1", "d2", "d3"])
            #expect(try await store.alerts.nextDeliveryAt() == Fixed.at(60))
        }
    }

    @Test("claimDueDeliveries leases: a leased delivery is not handed out again until the lease ends", arguments: StoreKind.allCases)
    func lease(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            _ = try await Self.owedDeliveries(store, count: 3)
            let first = try await store.alerts.claimDueDeliveries(now: Fixed.at(60), limit: 2, lease: 120)
            #expect(first.map(\.subject) == ["d1", "d2"])
            // Another worker at the same instant gets only the one not leased.
            let second = try await store.alerts.claimDueDeliveries(now: Fixed.at(60), limit: 10, lease: 120)
            #expect(second.map(\.subject) == ["d3"])
            #expect(try await store.alerts.claimDueDeliveries(now: Fixed.at(60), limit: 10, lease: 120).isEmpty)
            #expect(try await store.alerts.claimDueDeliveries(now: Fixed.at(179), limit: 10, lease: 120).isEmpty)
            #expect(try await store.alerts.dueDeliveries(now: Fixed.at(179), limit: 10).isEmpty)
            // The outbox keeps them, due when the lease ends.
            let next = try #require(try await store.alerts.nextDeliveryAt())
            #expect(next > Fixed.at(60) && next <= Fixed.at(181))

            // The sender died: after the lease they are handed out again.
            let again = try await store.alerts.claimDueDeliveries(now: Fixed.at(181), limit: 10, lease: 120)
            #expect(Set(again.map(\.subject)) == ["d1", "d2", "d3"])
        }
    }

    @Test("recordAttempt: a failure with a retry keeps the delivery (attempts + 1, due at the retry); without one it leaves; both are history",
          arguments: StoreKind.allCases)
    func attempts(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let (monitor, incident) = try await Self.owedDeliveries(store, count: 2)
            let claimed = try await store.alerts.claimDueDeliveries(now: Fixed.at(60), limit: 10, lease: 120)
            let retried = try #require(claimed.first { $0.subject == "d1" })
            let sent = try #require(claimed.first { $0.subject == "d2" })

            try await store.alerts.recordAttempt(retried, sent: false, error: "connection refused", at: Fixed.at(61), retryAt: Fixed.at(300))
            try await store.alerts.recordAttempt(sent, sent: true, error: nil, at: Fixed.at(62), retryAt: nil)

            #expect(try await store.alerts.nextDeliveryAt() == Fixed.at(300))
            #expect(try await store.alerts.dueDeliveries(now: Fixed.at(299), limit: 10).isEmpty)
            let owed = try await store.alerts.dueDeliveries(now: Fixed.at(300), limit: 10)
            #expect(owed.map(\.id) == [retried.id])
            #expect(owed.first?.attempts == retried.attempts + 1 && owed.first?.nextAttemptAt == Fixed.at(300))
            #expect(owed.first?.subject == "d1" && owed.first?.incidentId == incident.id)

            let history = try await store.alerts.alerts(monitorId: monitor.id, limit: 10)
            #expect(history.total == 2 && history.items.count == 2)
            let failed = try #require(history.items.first { $0.status == "failed" })
            #expect(failed.incidentId == incident.id && failed.type == "email" && failed.channelName == "email")
            #expect(failed.errorMessage == "connection refused")
            let delivered = try #require(history.items.first { $0.status == "sent" })
            #expect(delivered.incidentId == incident.id && delivered.sentAt == Fixed.at(62) && delivered.errorMessage == nil)

            // The retry succeeds: the outbox is empty.
            try await store.alerts.recordAttempt(try #require(owed.first), sent: true, error: nil, at: Fixed.at(301), retryAt: nil)
            #expect(try await store.alerts.nextDeliveryAt() == nil)
            #expect(try await store.alerts.dueDeliveries(now: Fixed.at(10_000), limit: 10).isEmpty)
            #expect(try await store.alerts.alerts(monitorId: monitor.id, limit: 1).total == 3)
            #expect(try await store.alerts.alerts(monitorId: monitor.id, limit: 1).items.count == 1)
        }
    }
}
