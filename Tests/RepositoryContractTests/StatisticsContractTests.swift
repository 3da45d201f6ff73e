import Domain
import Foundation
import Testing

@Suite("Contract: check statistics (CheckStatisticsRepository)")
struct StatisticsContractTests {
    @Test("uptime counts a monitor's checks and ok checks since the date", arguments: StoreKind.allCases)
    func uptime(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addMonitor(customer, .sample("m"))
            let other = try await store.addMonitor(customer, .sample("other"))
            for (offset, ok) in [(100, true), (200, false), (300, true), (400, true)] as [(TimeInterval, Bool)] {
                _ = try await store.history.recordCheck(
                    monitorId: monitor.id, outcome: CheckOutcome(result: .sample(at: Fixed.at(offset), ok: ok, category: ok ? nil : "timeout"), nextCheckAt: nil))
            }
            _ = try await store.history.recordCheck(
                monitorId: other.id, outcome: CheckOutcome(result: .sample(at: Fixed.at(300), ok: false, category: "timeout"), nextCheckAt: nil))

            let all = try await store.statistics.uptime(monitorId: monitor.id, since: Fixed.t0)
            #expect(all.checks == 4 && all.ok == 3)
            let recent = try await store.statistics.uptime(monitorId: monitor.id, since: Fixed.at(150))
            #expect(recent.checks == 3 && recent.ok == 2)
            let none = try await store.statistics.uptime(monitorId: monitor.id, since: Fixed.at(1_000))
            #expect(none.checks == 0 && none.ok == 0)
        }
    }

    @Test("responseBuckets groups [from, to) into buckets oldest first with counts and total-time average and maximum",
          arguments: StoreKind.allCases)
    func buckets(_ kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let organization = try await store.organization()
            let customer = try await store.addCustomer(organizationId: organization)
            let monitor = try await store.addMonitor(customer)
            // Fixed.t0 is a multiple of the hour: the buckets start there however a store aligns them.
            let checks: [(TimeInterval, Bool, Int)] = [(60, true, 100), (1_800, false, 300), (3_600 + 60, true, 50), (7_200 + 10, true, 80)]
            for (offset, ok, total) in checks {
                _ = try await store.history.recordCheck(
                    monitorId: monitor.id,
                    outcome: CheckOutcome(result: .sample(at: Fixed.at(offset), ok: ok, category: ok ? nil : "timeout", totalMs: total), nextCheckAt: nil))
            }
            let buckets = try await store.statistics.responseBuckets(monitorId: monitor.id, from: Fixed.t0, to: Fixed.at(7_200), seconds: 3_600)
            #expect(buckets.map(\.start) == [Fixed.t0, Fixed.at(3_600)])
            #expect(buckets.map(\.checks) == [2, 1])
            #expect(buckets.map(\.ok) == [1, 1])
            #expect(buckets.map(\.averageMs) == [200, 50])
            #expect(buckets.map(\.maximumMs) == [300, 50])
        }
    }
}
