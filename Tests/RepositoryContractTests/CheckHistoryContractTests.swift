import Domain
import Foundation
import Testing

@Suite("Contract: check history and incidents (CheckHistoryRepository)")
struct CheckHistoryContractTests {
    @Test("recordCheck stores the result as given and the monitor's lastCheckedAt", arguments: StoreKind.allCases)
    func resultRoundTrip(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addMonitor(customer)
            let result = NewCheckResult(
                checkedAt: Fixed.at(10), dueAt: Fixed.at(9), ok: false, category: "auth_failed", message: "NO [AUTHENTICATIONFAILED]",
                timings: #"{"connect":12,"tls":30,"total":140}"#, messageCount: 42, certificateNotAfter: Fixed.at(86_400 * 90),
                details: #"{"capabilities":["IMAP4rev1"]}"#, hookVersion: "post_check@2", hookError: "post_check.lua:3: boom")
            let recorded = try #require(
                try await store.history.recordCheck(monitorId: monitor.id, outcome: CheckOutcome(result: result, nextCheckAt: Fixed.at(310))))
            #expect(recorded.check.monitorId == monitor.id && recorded.check.result == result)
            #expect(recorded.opened.isEmpty && recorded.resolved.isEmpty && recorded.deliveriesQueued == 0)

            let stored = try await store.history.recentResults(monitorId: monitor.id, limit: 10)
            #expect(stored == [recorded.check])
            // A result without the optional parts round-trips too.
            let bare = NewCheckResult(
                checkedAt: Fixed.at(20), dueAt: nil, ok: true, category: nil, message: nil, timings: "{}", messageCount: nil,
                certificateNotAfter: nil, details: nil, hookVersion: nil, hookError: nil)
            let second = try #require(
                try await store.history.recordCheck(monitorId: monitor.id, outcome: CheckOutcome(result: bare, nextCheckAt: nil)))
            #expect(second.check.id != recorded.check.id)
            #expect(try await store.history.recentResults(monitorId: monitor.id, limit: 1) == [second.check])
            #expect(try await store.monitors.monitor(publicId: monitor.publicId)?.lastCheckedAt == Fixed.at(20))
        }
    }

    @Test("recordCheck returns nil and writes nothing for a monitor that does not exist", arguments: StoreKind.allCases)
    func unknownMonitor(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addMonitor(customer)
            let missing = monitor.id + 1000
            let recorded = try await store.history.recordCheck(
                monitorId: missing,
                outcome: CheckOutcome(
                    result: .sample(at: Fixed.t0, ok: false, category: "timeout"), nextCheckAt: Fixed.at(60),
                    open: [.init(type: "timeout", message: nil)], deliveries: [.email(.opened(type: "timeout"))]))
            #expect(recorded == nil)
            #expect(try await store.history.recentResults(monitorId: missing, limit: 10).isEmpty)
            #expect(try await store.history.openIncidents(monitorId: missing).isEmpty)
            #expect(try await store.alerts.nextDeliveryAt() == nil)
        }
    }

    @Test("recentResults are newest first up to the limit; results(from:to:) are the range's, oldest first", arguments: StoreKind.allCases)
    func resultOrder(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addMonitor(customer, .sample("m"))
            let other = try await store.addMonitor(customer, .sample("other"))
            // Written out of time order on purpose.
            for offset in [300, 100, 500, 200, 400] as [TimeInterval] {
                _ = try await store.history.recordCheck(
                    monitorId: monitor.id, outcome: CheckOutcome(result: .sample(at: Fixed.at(offset), totalMs: Int(offset)), nextCheckAt: nil))
            }
            _ = try await store.history.recordCheck(
                monitorId: other.id, outcome: CheckOutcome(result: .sample(at: Fixed.at(250)), nextCheckAt: nil))

            let recent = try await store.history.recentResults(monitorId: monitor.id, limit: 3)
            #expect(recent.map(\.result.checkedAt) == [Fixed.at(500), Fixed.at(400), Fixed.at(300)])
            #expect(recent.allSatisfy { $0.monitorId == monitor.id })
            #expect(try await store.history.recentResults(monitorId: monitor.id, limit: 10).count == 5)

            let range = try await store.history.results(monitorId: monitor.id, from: Fixed.at(150), to: Fixed.at(450))
            #expect(range.map(\.result.checkedAt) == [Fixed.at(200), Fixed.at(300), Fixed.at(400)])
            #expect(try await store.history.results(monitorId: monitor.id, from: Fixed.at(501), to: Fixed.at(900)).isEmpty)
        }
    }

    @Test("recordCheck opens incidents, skips an opening whose type is already active, and resolves by id", arguments: StoreKind.allCases)
    func incidentsOpenAndResolve(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addMonitor(customer)

            let down = try #require(
                try await store.history.recordCheck(
                    monitorId: monitor.id,
                    outcome: CheckOutcome(
                        result: .sample(at: Fixed.at(60), ok: false, category: "timeout"), nextCheckAt: Fixed.at(120),
                        open: [.init(type: "timeout", message: "timed out"), .init(type: "certificate_expiring", message: "in 5 days")])))
            #expect(down.opened.count == 2 && down.resolved.isEmpty)
            let timeout = try #require(down.opened.first { $0.type == "timeout" })
            let certificate = try #require(down.opened.first { $0.type == "certificate_expiring" })
            #expect(timeout.monitorId == monitor.id && timeout.status == .active && timeout.message == "timed out")
            #expect(timeout.startedAt == Fixed.at(60) && timeout.endedAt == nil)
            #expect(Set(try await store.history.openIncidents(monitorId: monitor.id)) == [timeout, certificate])

            // Still failing: one active incident per type, the opening is skipped.
            let stillDown = try #require(
                try await store.history.recordCheck(
                    monitorId: monitor.id,
                    outcome: CheckOutcome(
                        result: .sample(at: Fixed.at(120), ok: false, category: "timeout"), nextCheckAt: Fixed.at(180),
                        open: [.init(type: "timeout", message: "again")])))
            #expect(stillDown.opened.isEmpty)
            #expect(Set(try await store.history.openIncidents(monitorId: monitor.id)) == [timeout, certificate])

            // Recovered: the timeout incident resolves at the check's time; an unknown id is ignored.
            let up = try #require(
                try await store.history.recordCheck(
                    monitorId: monitor.id,
                    outcome: CheckOutcome(
                        result: .sample(at: Fixed.at(180)), nextCheckAt: Fixed.at(240), resolve: [timeout.id, timeout.id + 1000])))
            #expect(up.resolved.map(\.id) == [timeout.id])
            #expect(up.resolved.first?.status == .resolved && up.resolved.first?.endedAt == Fixed.at(180))
            #expect(try await store.history.openIncidents(monitorId: monitor.id) == [certificate])

            // Resolving it again does nothing; a new failure of that type opens a new incident.
            let again = try #require(
                try await store.history.recordCheck(
                    monitorId: monitor.id,
                    outcome: CheckOutcome(
                        result: .sample(at: Fixed.at(240), ok: false, category: "timeout"), nextCheckAt: Fixed.at(300),
                        open: [.init(type: "timeout", message: "once more")], resolve: [timeout.id])))
            #expect(again.resolved.isEmpty)
            #expect(again.opened.count == 1 && again.opened.first?.id != timeout.id && again.opened.first?.startedAt == Fixed.at(240))
        }
    }

    @Test("an incident of another monitor is neither resolved nor alerted through this monitor's outcome", arguments: StoreKind.allCases)
    func incidentsStayWithTheirMonitor(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let first = try await store.addMonitor(customer, .sample("first"))
            let second = try await store.addMonitor(customer, .sample("second"))
            let incident = try #require(
                try await store.history.recordCheck(
                    monitorId: first.id,
                    outcome: CheckOutcome(
                        result: .sample(at: Fixed.at(60), ok: false, category: "timeout"), nextCheckAt: nil,
                        open: [.init(type: "timeout", message: nil)]))?.opened.first)
            let recorded = try #require(
                try await store.history.recordCheck(
                    monitorId: second.id,
                    outcome: CheckOutcome(
                        result: .sample(at: Fixed.at(70)), nextCheckAt: nil, resolve: [incident.id],
                        deliveries: [.email(.existing(incident.id))])))
            #expect(recorded.resolved.isEmpty && recorded.deliveriesQueued == 0)
            #expect(try await store.history.openIncidents(monitorId: first.id) == [incident])
            #expect(try await store.alerts.dueDeliveries(now: Fixed.at(1_000), limit: 10).isEmpty)
        }
    }

    @Test("recordCheck queues deliveries for opened, resolved and open incidents, none for a skipped opening", arguments: StoreKind.allCases)
    func deliveriesQueued(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addMonitor(customer)

            let down = try #require(
                try await store.history.recordCheck(
                    monitorId: monitor.id,
                    outcome: CheckOutcome(
                        result: .sample(at: Fixed.at(60), ok: false, category: "timeout"), nextCheckAt: Fixed.at(120),
                        open: [.init(type: "timeout", message: nil)],
                        deliveries: [.email(.opened(type: "timeout"), subject: "down"), .email(.opened(type: "auth_failed"))])))
            // The second delivery names an incident this outcome does not open.
            #expect(down.deliveriesQueued == 1)
            let incident = try #require(down.opened.first)
            let owed = try await store.alerts.dueDeliveries(now: Fixed.at(60), limit: 10)
            #expect(owed.count == 1)
            let delivery = try #require(owed.first)
            #expect(delivery.incidentId == incident.id && delivery.type == "email" && delivery.channelName == "email")
            #expect(delivery.recipient == "ops@example.com" && delivery.subject == "down" && delivery.body == "body")
            #expect(delivery.attempts == 0 && delivery.nextAttemptAt <= Fixed.at(60))

            // A skipped opening (the type is active already) queues nothing through `.opened`,
            // but a reminder through `.existing` is queued.
            let reminder = try #require(
                try await store.history.recordCheck(
                    monitorId: monitor.id,
                    outcome: CheckOutcome(
                        result: .sample(at: Fixed.at(120), ok: false, category: "timeout"), nextCheckAt: Fixed.at(180),
                        open: [.init(type: "timeout", message: nil)],
                        deliveries: [.email(.opened(type: "timeout"), subject: "dup"), .email(.existing(incident.id), subject: "still down")])))
            #expect(reminder.opened.isEmpty && reminder.deliveriesQueued == 1)

            // The recovery notice names the incident this outcome resolves.
            let up = try #require(
                try await store.history.recordCheck(
                    monitorId: monitor.id,
                    outcome: CheckOutcome(
                        result: .sample(at: Fixed.at(180)), nextCheckAt: Fixed.at(240), resolve: [incident.id],
                        deliveries: [.email(.existing(incident.id), subject: "recovered")])))
            #expect(up.deliveriesQueued == 1)

            let all = try await store.alerts.dueDeliveries(now: Fixed.at(180), limit: 10)
            #expect(all.map(\.subject) == ["down", "still down", "recovered"])
            #expect(all.allSatisfy { $0.incidentId == incident.id })
        }
    }

    @Test("incidents(limit:) are latest first with the total; incidents(overlapping:) those active in the range", arguments: StoreKind.allCases)
    func incidentLists(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addMonitor(customer)

            func check(at seconds: TimeInterval, open: String? = nil, resolve: [Int64] = []) async throws -> RecordedCheck {
                try #require(
                    try await store.history.recordCheck(
                        monitorId: monitor.id,
                        outcome: CheckOutcome(
                            result: .sample(at: Fixed.at(seconds), ok: open == nil), nextCheckAt: nil,
                            open: open.map { [.init(type: $0, message: nil)] } ?? [], resolve: resolve)))
            }
            // A: 100–200, B: 300–400, C: from 500, open.
            let a = try #require(try await check(at: 100, open: "timeout").opened.first)
            _ = try await check(at: 200, resolve: [a.id])
            let b = try #require(try await check(at: 300, open: "auth_failed").opened.first)
            _ = try await check(at: 400, resolve: [b.id])
            let c = try #require(try await check(at: 500, open: "timeout").opened.first)

            let latest = try await store.history.incidents(monitorId: monitor.id, limit: 2)
            #expect(latest.total == 3 && latest.items.map(\.id) == [c.id, b.id])
            let resolvedA = try #require(try await store.history.incidents(monitorId: monitor.id, limit: 10).items.last)
            #expect(resolvedA.id == a.id && resolvedA.status == .resolved && resolvedA.endedAt == Fixed.at(200))

            #expect(Set(try await store.history.incidents(monitorId: monitor.id, overlapping: Fixed.at(150), Fixed.at(350)).map(\.id)) == [a.id, b.id])
            #expect(try await store.history.incidents(monitorId: monitor.id, overlapping: Fixed.at(210), Fixed.at(290)).isEmpty)
            #expect(try await store.history.incidents(monitorId: monitor.id, overlapping: Fixed.at(450), Fixed.at(10_000)).map(\.id) == [c.id])
            #expect(try await store.history.incidents(monitorId: monitor.id + 1000, limit: 10).total == 0)
        }
    }

    @Test("pruneResults deletes the results checked before the date, of every monitor, and counts them", arguments: StoreKind.allCases)
    func prune(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let first = try await store.addMonitor(customer, .sample("first"))
            let second = try await store.addMonitor(customer, .sample("second"))
            for monitor in [first, second] {
                for offset in [100, 200, 300] as [TimeInterval] {
                    _ = try await store.history.recordCheck(
                        monitorId: monitor.id, outcome: CheckOutcome(result: .sample(at: Fixed.at(offset)), nextCheckAt: nil))
                }
            }
            #expect(try await store.history.pruneResults(before: Fixed.at(250)) == 4)
            #expect(try await store.history.recentResults(monitorId: first.id, limit: 10).map(\.result.checkedAt) == [Fixed.at(300)])
            #expect(try await store.history.recentResults(monitorId: second.id, limit: 10).map(\.result.checkedAt) == [Fixed.at(300)])
            #expect(try await store.history.pruneResults(before: Fixed.at(250)) == 0)
        }
    }
}
