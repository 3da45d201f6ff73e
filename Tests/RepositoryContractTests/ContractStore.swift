import Domain
import Foundation
import MailmonTestSupport
import SQLiteStore
import Testing

/// The stores the contract suite runs against. A further store (PostgreSQL) adds a case here
/// and its `make()`; every test takes `arguments: StoreKind.allCases` and so runs for it too.
enum StoreKind: CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite

    var testDescription: String {
        switch self {
        case .sqlite: "SQLite"
        }
    }

    /// A fresh, empty store (no organization, no user), migrated and ready.
    func make() async throws -> ContractStore {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory.make(prefix: "mm-contract-")
            let database: AppDatabase
            do {
                database = try AppDatabase(path: directory + "/mailmon.sqlite")
            } catch {
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
            return ContractStore(
                access: database, customers: database, monitors: database, schedule: database, history: database,
                statistics: database, alerts: database, scripts: database, audit: database,
                createOrganization: { name in try await database.createOrganization(name: name) },
                cleanup: { try? FileManager.default.removeItem(atPath: directory) })
        }
    }
}

/// One store, seen only through Domain's repository protocols (the same object may stand behind all of them).
struct ContractStore: Sendable {
    let access: any AccessRepository
    let customers: any CustomerRepository
    let monitors: any MonitorRepository
    let schedule: any ScheduleRepository
    let history: any CheckHistoryRepository
    let statistics: any CheckStatisticsRepository
    let alerts: any AlertRepository
    let scripts: any ScriptVersionRepository
    let audit: any AuditRepository
    /// A further organization (an MSP's second tenant). The protocols create only the first one
    /// (`ensureDefaultOrganization`, `bootstrapUser`), so each store says how it makes another.
    let createOrganization: @Sendable (String) async throws -> Int64
    /// Removes what `make()` created (files, schemas).
    let cleanup: @Sendable () async -> Void
}

/// Runs `body` on a fresh store of `kind` and cleans up afterwards, also when `body` throws.
func withStore(_ kind: StoreKind, _ body: (ContractStore) async throws -> Void) async throws {
    let store = try await kind.make()
    do {
        try await body(store)
    } catch {
        await store.cleanup()
        throw error
    }
    await store.cleanup()
}

// MARK: - Fixtures (written with the protocols only)

/// Fixed instants: no test reads the clock.
enum Fixed {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func at(_ seconds: TimeInterval) -> Date { t0.addingTimeInterval(seconds) }
}

extension MonitorFields {
    /// An IMAP monitor's fields.
    static func sample(
        _ name: String, hostname: String = "mail.example.com", checkInterval: Int = 5, timeoutSeconds: Int = 10,
        status: MonitorStatus = .active
    ) -> MonitorFields {
        MonitorFields(
            name: name, hostname: hostname, port: 993, checkInterval: checkInterval, timeoutSeconds: timeoutSeconds, status: status,
            config: #"{"protocol":"imap","user":"u"}"#, notificationEmail: "ops@example.com", notificationPhoneNumber: nil,
            allowedCheckCountryCodes: ["DE", "US"], policyVersion: "monitor_policy@1")
    }
}

extension NewCheckResult {
    /// A check result at `checkedAt` whose total time is `totalMs`.
    static func sample(at checkedAt: Date, ok: Bool = true, category: String? = nil, totalMs: Int = 100, dueAt: Date? = nil) -> NewCheckResult {
        NewCheckResult(
            checkedAt: checkedAt, dueAt: dueAt, ok: ok, category: category, message: ok ? nil : "failed: \(category ?? "?")",
            timings: #"{"connect":10,"total":\#(totalMs)}"#, messageCount: ok ? 3 : nil, certificateNotAfter: nil, details: nil,
            hookVersion: nil, hookError: nil)
    }
}

extension ContractStore {
    /// The first organization (made if there is none).
    func organization() async throws -> Int64 {
        try await access.ensureDefaultOrganization(name: "Default").id
    }

    func addCustomer(
        organizationId: Int64, name: String = "Customer", email: String? = nil, publicId: UUID = UUID(), threshold: Int = 1
    ) async throws -> Customer {
        try await customers.insertCustomer(
            NewCustomer(
                publicId: publicId, organizationId: organizationId, name: name, email: email, allowedCheckCountryCodes: ["DE"],
                alertLocationThresholdCount: threshold))
    }

    func addMonitor(_ customer: Customer, _ fields: MonitorFields = .sample("Monitor"), at date: Date = Fixed.t0) async throws -> Monitor {
        try #require(
            try await monitors.insertMonitor(
                publicId: UUID(), organizationId: customer.organizationId, customerId: customer.id, fields: fields, at: date))
    }

    /// A monitor that has been checked once and is due again at `dueAt` (deterministically: the
    /// first due time `scheduleUnscheduled` gives is random, the one `recordCheck` writes is not).
    func addScheduledMonitor(_ customer: Customer, _ fields: MonitorFields = .sample("Monitor"), dueAt: Date) async throws -> Monitor {
        let monitor = try await addMonitor(customer, fields)
        _ = try #require(
            try await history.recordCheck(
                monitorId: monitor.id, outcome: CheckOutcome(result: .sample(at: Fixed.t0), nextCheckAt: dueAt)))
        return monitor
    }
}

extension CheckOutcome.Delivery {
    static func email(_ incident: CheckOutcome.IncidentReference, subject: String = "down") -> CheckOutcome.Delivery {
        CheckOutcome.Delivery(
            incident: incident, type: "email", channelName: "email", recipient: "ops@example.com", subject: subject, body: "body")
    }
}
