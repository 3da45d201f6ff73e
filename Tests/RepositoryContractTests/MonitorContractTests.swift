import Domain
import Foundation
import Testing

@Suite("Contract: monitors (MonitorRepository)")
struct MonitorContractTests {
    @Test("insertMonitor stores the fields as given; monitor(publicId:) reads them back", arguments: StoreKind.allCases)
    func insertAndRead(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let publicId = UUID()
            let fields = MonitorFields(
                name: "Inbox", hostname: "imap.example.com", port: nil, checkInterval: 15, timeoutSeconds: 30, status: .maintenance,
                config: #"{"protocol":"pop3","tls":true}"#, notificationEmail: nil, notificationPhoneNumber: "+49301234567",
                allowedCheckCountryCodes: [], policyVersion: "monitor_policy@7")
            let inserted = try #require(
                try await store.monitors.insertMonitor(
                    publicId: publicId, organizationId: organization, customerId: customer.id, fields: fields, at: Fixed.t0))
            #expect(inserted.publicId == publicId && inserted.organizationId == organization && inserted.customerId == customer.id)
            #expect(inserted.fields == fields)
            #expect(inserted.createdAt == Fixed.t0 && inserted.updatedAt == Fixed.t0 && inserted.lastCheckedAt == nil)

            #expect(try await store.monitors.monitor(publicId: publicId) == inserted)
            #expect(try await store.monitors.monitor(publicId: UUID()) == nil)
            #expect(try await store.monitors.countMonitors(customerId: customer.id) == 1)
        }
    }

    @Test("insertMonitor returns nil and writes nothing for a customer of another organization", arguments: StoreKind.allCases)
    func insertForeignCustomer(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let second = try await store.createOrganization("Second")
            let foreign = try await store.addCustomer(organizationId: second)
            let publicId = UUID()
            let inserted = try await store.monitors.insertMonitor(
                publicId: publicId, organizationId: organization, customerId: foreign.id, fields: .sample("Sneaky"), at: Fixed.t0)
            #expect(inserted == nil)
            // Nor for a customer that does not exist.
            #expect(
                try await store.monitors.insertMonitor(
                    publicId: UUID(), organizationId: organization, customerId: foreign.id + 1000, fields: .sample("Ghost"), at: Fixed.t0)
                    == nil)

            #expect(try await store.monitors.monitor(publicId: publicId) == nil)
            #expect(try await store.monitors.countMonitors(customerId: foreign.id) == 0)
            for scope in [organization, second] as [Int64?] + [nil] {
                let page = try await store.monitors.monitors(
                    MonitorQuery(organizationId: scope, customerId: nil, search: nil, page: 1, perPage: 10))
                #expect(page.total == 0 && page.items.isEmpty)
            }
            // And nothing to schedule.
            #expect(try await store.schedule.scheduleUnscheduled(now: Fixed.t0, spread: 10, perSecond: 100) == 0)
        }
    }

    @Test("updateMonitor writes when the monitor is as read (.updated), not over a write in between (.changedMeanwhile), and reports .notFound",
          arguments: StoreKind.allCases)
    func conditionalUpdate(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let read = try await store.addMonitor(customer, .sample("first"))

            // Written at the very instant of the insert: the update still tells itself apart.
            guard case .updated(let first) = try await store.monitors.updateMonitor(
                id: read.id, fields: .sample("a", hostname: "a.example.com"), at: Fixed.t0, ifUpdatedAt: read.updatedAt)
            else { Issue.record("the update on the monitor as read was not written"); return }
            #expect(first.id == read.id && first.publicId == read.publicId && first.createdAt == read.createdAt)
            #expect(first.fields == .sample("a", hostname: "a.example.com"))
            #expect(first.updatedAt > read.updatedAt)
            #expect(try await store.monitors.monitor(publicId: read.publicId) == first)

            // A second update decided on the same (now stale) read is refused, and the first stays.
            guard case .changedMeanwhile = try await store.monitors.updateMonitor(
                id: read.id, fields: .sample("b"), at: Fixed.at(1), ifUpdatedAt: read.updatedAt)
            else { Issue.record("a stale update was written"); return }
            #expect(try await store.monitors.monitor(publicId: read.publicId)?.fields.name == "a")

            // Decided on the current state it goes through, with a later updatedAt.
            guard case .updated(let second) = try await store.monitors.updateMonitor(
                id: read.id, fields: .sample("b"), at: Fixed.at(60), ifUpdatedAt: first.updatedAt)
            else { Issue.record("the update on the current state was refused"); return }
            #expect(second.fields.name == "b" && second.updatedAt == Fixed.at(60))

            guard case .notFound = try await store.monitors.updateMonitor(
                id: read.id + 1000, fields: .sample("x"), at: Fixed.at(61), ifUpdatedAt: second.updatedAt)
            else { Issue.record("an unknown monitor was not reported as not found"); return }
        }
    }

    @Test("deleteMonitor removes the monitor with its results, incidents, alerts and owed deliveries", arguments: StoreKind.allCases)
    func deleteCascades(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let doomed = try await store.addMonitor(customer, .sample("doomed"))
            let kept = try await store.addMonitor(customer, .sample("kept"))
            for monitor in [doomed, kept] {
                _ = try #require(
                    try await store.history.recordCheck(
                        monitorId: monitor.id,
                        outcome: CheckOutcome(
                            result: .sample(at: Fixed.t0, ok: false, category: "timeout"), nextCheckAt: Fixed.at(300),
                            open: [.init(type: "timeout", message: "timed out")],
                            deliveries: [.email(.opened(type: "timeout")), .email(.opened(type: "timeout"), subject: "second")])))
            }
            // One delivery of each monitor attempted (an alert in the history), one still owed.
            let owed = try await store.alerts.dueDeliveries(now: Fixed.t0, limit: 10)
            #expect(owed.count == 4)
            for monitor in [doomed, kept] {
                let incident = try #require(try await store.history.openIncidents(monitorId: monitor.id).first)
                let delivery = try #require(owed.first { $0.incidentId == incident.id })
                try await store.alerts.recordAttempt(delivery, sent: true, error: nil, at: Fixed.at(1), retryAt: nil)
            }
            #expect(try await store.alerts.alerts(monitorId: doomed.id, limit: 10).total == 1)

            #expect(try await store.monitors.deleteMonitor(id: doomed.id))

            #expect(try await store.monitors.monitor(publicId: doomed.publicId) == nil)
            #expect(try await store.history.recentResults(monitorId: doomed.id, limit: 10).isEmpty)
            #expect(try await store.history.openIncidents(monitorId: doomed.id).isEmpty)
            #expect(try await store.history.incidents(monitorId: doomed.id, limit: 10).total == 0)
            let alerts = try await store.alerts.alerts(monitorId: doomed.id, limit: 10)
            #expect(alerts.total == 0 && alerts.items.isEmpty)
            let stillOwed = try await store.alerts.dueDeliveries(now: Fixed.at(10), limit: 10)
            let keptIncident = try #require(try await store.history.openIncidents(monitorId: kept.id).first)
            #expect(stillOwed.count == 1 && stillOwed.allSatisfy { $0.incidentId == keptIncident.id })
            #expect(try await store.monitors.countMonitors(customerId: customer.id) == 1)
            #expect(
                try await store.monitors.monitors(MonitorQuery(organizationId: organization, customerId: nil, search: nil, page: 1, perPage: 10))
                    .total == 1)

            // The other monitor keeps all of its own.
            #expect(try await store.history.recentResults(monitorId: kept.id, limit: 10).count == 1)
            #expect(try await store.alerts.alerts(monitorId: kept.id, limit: 10).total == 1)

            // Gone: a second delete and a late result are told so.
            #expect(try await !store.monitors.deleteMonitor(id: doomed.id))
            #expect(
                try await store.history.recordCheck(
                    monitorId: doomed.id, outcome: CheckOutcome(result: .sample(at: Fixed.at(5)), nextCheckAt: Fixed.at(600))) == nil)
            #expect(try await store.history.recentResults(monitorId: doomed.id, limit: 10).isEmpty)
        }
    }

    @Test("stateCounts counts the scope's monitors by state: the status first, then the checks, unknown before the first", arguments: StoreKind.allCases)
    func stateCounts(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let other = try await store.addCustomer(organizationId: organization)
            let up = try await store.addMonitor(customer, .sample("up"))
            let down = try await store.addMonitor(customer, .sample("down"))
            _ = try await store.addMonitor(customer, .sample("never checked"))
            var paused = MonitorFields.sample("paused")
            paused.status = .disabled
            _ = try await store.addMonitor(customer, paused)
            _ = try await store.addMonitor(other, .sample("elsewhere"))
            _ = try #require(
                try await store.history.recordCheck(monitorId: up.id, outcome: CheckOutcome(result: .sample(at: Fixed.t0), nextCheckAt: Fixed.at(300))))
            _ = try #require(
                try await store.history.recordCheck(
                    monitorId: down.id,
                    outcome: CheckOutcome(
                        result: .sample(at: Fixed.t0, ok: false, category: "timeout"), nextCheckAt: Fixed.at(300),
                        open: [.init(type: "timeout", message: "timed out")])))
            let counts = try await store.monitors.stateCounts(
                MonitorQuery(organizationId: organization, customerId: customer.id, search: nil, page: 1, perPage: 1))
            #expect(counts == [.up: 1, .down: 1, .unknown: 1, .disabled: 1])
            let all = try await store.monitors.stateCounts(MonitorQuery(organizationId: organization, customerId: nil, search: nil, page: 1, perPage: 1))
            #expect(all[.unknown] == 2 && all.values.reduce(0, +) == 5)
            let searched = try await store.monitors.stateCounts(
                MonitorQuery(organizationId: organization, customerId: nil, search: "down", page: 1, perPage: 1))
            #expect(searched == [.down: 1])
        }
    }

    @Test("monitors(…) pages in id order with the total, and gives each monitor's customer name", arguments: StoreKind.allCases)
    func paging(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let acme = try await store.addCustomer(organizationId: organization, name: "Acme")
            let globex = try await store.addCustomer(organizationId: organization, name: "Globex")
            var made: [Monitor] = []
            for index in 1...5 { made.append(try await store.addMonitor(index.isMultiple(of: 2) ? globex : acme, .sample("m\(index)"))) }

            var seen: [(Monitor, customerName: String)] = []
            for page in 1...3 {
                let listed = try await store.monitors.monitors(
                    MonitorQuery(organizationId: organization, customerId: nil, search: nil, page: page, perPage: 2))
                #expect(listed.total == 5 && listed.page == page && listed.perPage == 2)
                #expect(listed.items.count == (page == 3 ? 1 : 2))
                seen += listed.items
            }
            #expect(seen.map(\.0) == made.sorted { $0.id < $1.id })
            #expect(seen.map(\.customerName) == ["Acme", "Globex", "Acme", "Globex", "Acme"])
            let beyond = try await store.monitors.monitors(
                MonitorQuery(organizationId: organization, customerId: nil, search: nil, page: 4, perPage: 2))
            #expect(beyond.total == 5 && beyond.items.isEmpty)
        }
    }

    @Test("monitors(…) filters by organization and by customer; countMonitors counts one customer's", arguments: StoreKind.allCases)
    func scopes(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let second = try await store.createOrganization("Second")
            let acme = try await store.addCustomer(organizationId: organization, name: "Acme")
            let globex = try await store.addCustomer(organizationId: organization, name: "Globex")
            let foreign = try await store.addCustomer(organizationId: second, name: "Foreign")
            let a1 = try await store.addMonitor(acme, .sample("a1"))
            let a2 = try await store.addMonitor(acme, .sample("a2"))
            let g1 = try await store.addMonitor(globex, .sample("g1"))
            let f1 = try await store.addMonitor(foreign, .sample("f1"))

            func ids(_ organizationId: Int64?, _ customerId: Int64?) async throws -> (ids: [Int64], total: Int) {
                let page = try await store.monitors.monitors(
                    MonitorQuery(organizationId: organizationId, customerId: customerId, search: nil, page: 1, perPage: 50))
                return (page.items.map(\.0.id), page.total)
            }
            #expect(try await ids(organization, nil) == ([a1.id, a2.id, g1.id], 3))
            #expect(try await ids(second, nil) == ([f1.id], 1))
            #expect(try await ids(nil, nil) == ([a1.id, a2.id, g1.id, f1.id], 4))
            #expect(try await ids(organization, acme.id) == ([a1.id, a2.id], 2))
            #expect(try await ids(nil, globex.id) == ([g1.id], 1))
            // A customer of another organization within this organization's scope: nothing.
            #expect(try await ids(organization, foreign.id) == ([], 0))

            #expect(try await store.monitors.countMonitors(customerId: acme.id) == 2)
            #expect(try await store.monitors.countMonitors(customerId: globex.id) == 1)
            #expect(try await store.monitors.countMonitors(customerId: foreign.id) == 1)
            #expect(try await store.monitors.countMonitors(customerId: foreign.id + 1000) == 0)

            #expect(try await store.monitors.deleteMonitor(id: a1.id))
            #expect(try await ids(organization, nil) == ([a2.id, g1.id], 2))
            #expect(try await ids(organization, acme.id) == ([a2.id], 1))
            #expect(try await store.monitors.countMonitors(customerId: acme.id) == 1)
        }
    }

    @Test("monitors(…) searches monitor name, hostname and customer name, within the scope, with a matching total",
          arguments: StoreKind.allCases)
    func search(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let second = try await store.createOrganization("Second")
            let acme = try await store.addCustomer(organizationId: organization, name: "Acme")
            let globex = try await store.addCustomer(organizationId: organization, name: "Globex")
            let foreign = try await store.addCustomer(organizationId: second, name: "Acme Abroad")
            let sales = try await store.addMonitor(acme, .sample("Sales inbox", hostname: "imap.acme.example"))
            let support = try await store.addMonitor(globex, .sample("Support", hostname: "pop.globex.example"))
            let billing = try await store.addMonitor(globex, .sample("Billing 50%", hostname: "mx.billing.example"))
            let abroad = try await store.addMonitor(foreign, .sample("Abroad", hostname: "imap.abroad.example"))

            func search(_ text: String, organizationId: Int64? = nil, customerId: Int64? = nil) async throws -> (ids: [Int64], total: Int) {
                let page = try await store.monitors.monitors(
                    MonitorQuery(organizationId: organizationId ?? organization, customerId: customerId, search: text, page: 1, perPage: 50))
                return (page.items.map(\.0.id), page.total)
            }
            #expect(try await search("Sales") == ([sales.id], 1))
            #expect(try await search("pop.globex") == ([support.id], 1))
            // By customer name: every monitor of Acme in this organization, not the foreign "Acme Abroad".
            #expect(try await search("Acme") == ([sales.id], 1))
            #expect(try await search("Acme", organizationId: second) == ([abroad.id], 1))
            #expect(try await search("Globex") == ([support.id, billing.id], 2))
            #expect(try await search("Globex", customerId: globex.id) == ([support.id, billing.id], 2))
            #expect(try await search("Globex", customerId: acme.id) == ([], 0))
            // A literal substring: % is not a wildcard.
            #expect(try await search("50%") == ([billing.id], 1))
            #expect(try await search("%") == ([billing.id], 1))
            #expect(try await search("no such monitor") == ([], 0))

            // Paging a search: the total is that of the matches.
            let firstPage = try await store.monitors.monitors(
                MonitorQuery(organizationId: organization, customerId: nil, search: "example", page: 1, perPage: 2))
            #expect(firstPage.total == 3 && firstPage.items.map(\.0.id) == [sales.id, support.id])
            #expect(firstPage.items.map(\.customerName) == ["Acme", "Globex"])
        }
    }
}
