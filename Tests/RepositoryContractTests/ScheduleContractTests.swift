import Domain
import Foundation
import Testing

@Suite("Contract: schedule and claims (ScheduleRepository)")
struct ScheduleContractTests {
    @Test("scheduleUnscheduled gives new active and maintenance monitors a due time within the spread, once; disabled ones none",
          arguments: StoreKind.allCases)
    func firstDueTimes(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let active = try await store.addMonitor(customer, .sample("active"))
            let maintenance = try await store.addMonitor(customer, .sample("maintenance", status: .maintenance))
            _ = try await store.addMonitor(customer, .sample("disabled", status: .disabled))
            #expect(try await store.schedule.nextDueAt() == nil)

            #expect(try await store.schedule.scheduleUnscheduled(now: Fixed.t0, spread: 30, perSecond: 1000) == 2)
            #expect(try await store.schedule.scheduleUnscheduled(now: Fixed.t0, spread: 30, perSecond: 1000) == 0)
            let next = try #require(try await store.schedule.nextDueAt())
            #expect(next >= Fixed.t0 && next <= Fixed.at(30))

            // Nothing is due before now; all of them by the end of the spread.
            #expect(try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(-1), limit: 10, grace: 5).isEmpty)
            let claimed = try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(31), limit: 10, grace: 5)
            #expect(Set(claimed.map(\.monitor.id)) == [active.id, maintenance.id])
            for check in claimed {
                #expect(check.dueAt >= Fixed.t0 && check.dueAt <= Fixed.at(30))
            }
        }
    }

    @Test("a batch larger than perSecond allows is spread wider, but not past each monitor's interval", arguments: StoreKind.allCases)
    func widerSpread(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            for index in 1...80 { _ = try await store.addMonitor(customer, .sample("m\(index)", checkInterval: 1)) }
            // 80 monitors at 1 per second want 80 s, more than the 1 s spread; the 1-minute interval caps it at 60 s.
            #expect(try await store.schedule.scheduleUnscheduled(now: Fixed.t0, spread: 1, perSecond: 1) == 80)
            let claimed = try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(61), limit: 100, grace: 5)
            #expect(claimed.count == 80)
            #expect(claimed.allSatisfy { $0.dueAt >= Fixed.t0 && $0.dueAt <= Fixed.at(60) })
            // Wider than the spread (all 80 drawn within its first second: (1/60)^80, never).
            #expect(claimed.contains { $0.dueAt > Fixed.at(1) })
        }
    }

    @Test("claimDueChecks returns due checks earliest first, up to the limit, with the due time and the customer's threshold",
          arguments: StoreKind.allCases)
    func earliestFirst(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization, threshold: 3)
            let late = try await store.addScheduledMonitor(customer, .sample("late"), dueAt: Fixed.at(200))
            let early = try await store.addScheduledMonitor(customer, .sample("early"), dueAt: Fixed.at(100))
            // Due after the claims below: never among them.
            _ = try await store.addScheduledMonitor(customer, .sample("later"), dueAt: Fixed.at(300))
            #expect(try await store.schedule.nextDueAt() == Fixed.at(100))

            #expect(try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(99), limit: 10, grace: 5).isEmpty)
            let first = try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(250), limit: 1, grace: 5)
            #expect(first.map(\.monitor.id) == [early.id])
            #expect(first.first?.dueAt == Fixed.at(100) && first.first?.failureThreshold == 3)
            #expect(first.first?.monitor == (try await store.monitors.monitor(publicId: early.publicId)))
            let rest = try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(250), limit: 10, grace: 5)
            #expect(rest.map(\.monitor.id) == [late.id])
            #expect(rest.first?.dueAt == Fixed.at(200))
        }
    }

    @Test("a claimed check is not handed to another worker until its claim (timeout + grace) has expired", arguments: StoreKind.allCases)
    func claimHeldUntilExpiry(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addScheduledMonitor(customer, .sample("m", timeoutSeconds: 10), dueAt: Fixed.at(100))

            let claimed = try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(100), limit: 10, grace: 5)
            #expect(claimed.map(\.monitor.id) == [monitor.id])
            // The claim lasts 10 s + 5 s: neither worker gets it again meanwhile.
            #expect(try await store.schedule.claimDueChecks(worker: "w2", now: Fixed.at(100), limit: 10, grace: 5).isEmpty)
            #expect(try await store.schedule.claimDueChecks(worker: "w2", now: Fixed.at(114), limit: 10, grace: 5).isEmpty)
            #expect(try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(114), limit: 10, grace: 5).isEmpty)
            // While claimed it is not due before the claim ends, and due again when it does.
            let due = try #require(try await store.schedule.nextDueAt())
            #expect(due > Fixed.at(100) && due <= Fixed.at(116))

            // Once the claim has expired (the worker died), another worker takes it.
            let taken = try await store.schedule.claimDueChecks(worker: "w2", now: Fixed.at(116), limit: 10, grace: 5)
            #expect(taken.map(\.monitor.id) == [monitor.id])
            #expect(try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(117), limit: 10, grace: 5).isEmpty)
        }
    }

    @Test("releaseClaims(worker:) makes only that worker's claims due again at once", arguments: StoreKind.allCases)
    func releaseOnlyOwnClaims(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let first = try await store.addScheduledMonitor(customer, .sample("first"), dueAt: Fixed.at(100))
            let second = try await store.addScheduledMonitor(customer, .sample("second"), dueAt: Fixed.at(101))

            #expect(try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(110), limit: 1, grace: 5).map(\.monitor.id) == [first.id])
            #expect(try await store.schedule.claimDueChecks(worker: "w2", now: Fixed.at(110), limit: 1, grace: 5).map(\.monitor.id) == [second.id])

            try await store.schedule.releaseClaims(worker: "w1")
            #expect(try await store.schedule.nextDueAt() == Fixed.at(100))
            let retaken = try await store.schedule.claimDueChecks(worker: "w3", now: Fixed.at(110), limit: 10, grace: 5)
            #expect(retaken.map(\.monitor.id) == [first.id])
            #expect(retaken.first?.dueAt == Fixed.at(100))

            // Releasing a worker without claims changes nothing.
            try await store.schedule.releaseClaims(worker: "nobody")
            #expect(try await store.schedule.claimDueChecks(worker: "w4", now: Fixed.at(110), limit: 10, grace: 5).isEmpty)
        }
    }

    @Test("recordCheck with a next due time ends the claim and moves the schedule", arguments: StoreKind.allCases)
    func recordEndsClaim(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addScheduledMonitor(customer, .sample("m", timeoutSeconds: 10), dueAt: Fixed.at(100))
            let claimed = try #require(
                try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(100), limit: 10, grace: 60).first)

            // Next due before the claim would have expired (100 + 10 + 60): it is due then, for any worker.
            _ = try #require(
                try await store.history.recordCheck(
                    monitorId: monitor.id,
                    outcome: CheckOutcome(result: .sample(at: Fixed.at(101), dueAt: claimed.dueAt), nextCheckAt: Fixed.at(120))))
            #expect(try await store.schedule.nextDueAt() == Fixed.at(120))
            #expect(try await store.schedule.claimDueChecks(worker: "w2", now: Fixed.at(119), limit: 10, grace: 5).isEmpty)
            let again = try await store.schedule.claimDueChecks(worker: "w2", now: Fixed.at(120), limit: 10, grace: 5)
            #expect(again.map(\.monitor.id) == [monitor.id] && again.first?.dueAt == Fixed.at(120))
        }
    }

    @Test("recordCheck without a next due time (a triggered check) leaves the schedule alone", arguments: StoreKind.allCases)
    func triggeredCheckKeepsSchedule(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addScheduledMonitor(customer, .sample("m"), dueAt: Fixed.at(100))
            _ = try #require(
                try await store.history.recordCheck(
                    monitorId: monitor.id, outcome: CheckOutcome(result: .sample(at: Fixed.at(50)), nextCheckAt: nil)))
            #expect(try await store.schedule.nextDueAt() == Fixed.at(100))
            #expect(try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(99), limit: 10, grace: 5).isEmpty)
            #expect(try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(100), limit: 10, grace: 5).count == 1)
            #expect(try await store.monitors.monitor(publicId: monitor.publicId)?.lastCheckedAt == Fixed.at(50))
        }
    }

    @Test("a changed interval or a re-activation unschedules the monitor; disabled monitors are never claimed", arguments: StoreKind.allCases)
    func updatesReschedule(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addScheduledMonitor(customer, .sample("m", checkInterval: 5), dueAt: Fixed.at(100))
            var current = try #require(try await store.monitors.monitor(publicId: monitor.publicId))

            func update(_ fields: MonitorFields, at date: Date) async throws {
                guard case .updated(let updated) = try await store.monitors.updateMonitor(
                    id: current.id, fields: fields, at: date, ifUpdatedAt: current.updatedAt)
                else { Issue.record("update refused"); return }
                current = updated
            }

            // Another name, same interval: the due time stays.
            try await update(.sample("renamed", checkInterval: 5), at: Fixed.at(10))
            #expect(try await store.schedule.scheduleUnscheduled(now: Fixed.at(10), spread: 30, perSecond: 1000) == 0)
            #expect(try await store.schedule.nextDueAt() == Fixed.at(100))

            // A new interval: scheduled afresh from now.
            try await update(.sample("renamed", checkInterval: 10), at: Fixed.at(20))
            #expect(try await store.schedule.scheduleUnscheduled(now: Fixed.at(20), spread: 30, perSecond: 1000) == 1)
            let rescheduled = try #require(try await store.schedule.nextDueAt())
            #expect(rescheduled >= Fixed.at(20) && rescheduled <= Fixed.at(50))

            // Disabled: never claimed, nothing due.
            try await update(.sample("renamed", checkInterval: 10, status: .disabled), at: Fixed.at(30))
            #expect(try await store.schedule.scheduleUnscheduled(now: Fixed.at(30), spread: 30, perSecond: 1000) == 0)
            #expect(try await store.schedule.nextDueAt() == nil)
            #expect(try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(10_000), limit: 10, grace: 5).isEmpty)

            // Re-activated: scheduled afresh from now, not at the old due time.
            try await update(.sample("renamed", checkInterval: 10, status: .active), at: Fixed.at(1_000))
            #expect(try await store.schedule.scheduleUnscheduled(now: Fixed.at(1_000), spread: 30, perSecond: 1000) == 1)
            let reactivated = try #require(try await store.schedule.nextDueAt())
            #expect(reactivated >= Fixed.at(1_000) && reactivated <= Fixed.at(1_030))
        }
    }

    @Test("nextDueAt sees every claimed check still due, not only the one whose claim ends first", arguments: StoreKind.allCases)
    func nextDueAtOverClaims(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let first = try await store.addScheduledMonitor(customer, .sample("a", timeoutSeconds: 10), dueAt: Fixed.at(100))
            _ = try await store.addScheduledMonitor(customer, .sample("b", timeoutSeconds: 20), dueAt: Fixed.at(100))
            #expect(try await store.schedule.claimDueChecks(worker: "w1", now: Fixed.at(100), limit: 10, grace: 5).count == 2)
            // The first claim (until 115) belongs to a monitor whose interval changes: it is no longer due.
            let current = try #require(try await store.monitors.monitor(publicId: first.publicId))
            var fields = current.fields
            fields.checkInterval += 1
            guard case .updated = try await store.monitors.updateMonitor(id: current.id, fields: fields, at: Fixed.at(101), ifUpdatedAt: current.updatedAt)
            else { Issue.record("update refused"); return }
            // The second (until 125) is still due when its claim ends.
            #expect(try await store.schedule.nextDueAt() == Fixed.at(125))
        }
    }
}
