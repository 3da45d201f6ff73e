import Notifiers
import App
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Domain
import Synchronization

/// A clock the test moves by hand: hours of schedule in milliseconds.
final class ManualClock: WorkerClock {
    private let current: Mutex<Date>
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }
    func now() -> Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    func sleep(for duration: Duration) async throws { try await Task.sleep(for: .milliseconds(5)) }
}

/// A runtime on a fresh database with a copy of the shipped scripts, an admin,
/// a customer, and a worker (scheduler + alert dispatcher) on a manual clock.
struct WorkerFixture {
    let directory: String
    let runtime: MailmonRuntime
    let admin: Principal
    let customer: Customer
    let clock: ManualClock
    let settings: WorkerSettings

    static func make(threshold: Int = 1, settings: WorkerSettings = WorkerSettings(workerId: "test", firstRunSpreadSeconds: 5))
        async throws -> WorkerFixture
    {
        let directory = try TemporaryDirectory.make(prefix: "mm-worker-")
        try FileManager.default.copyItem(atPath: shippedScripts, toPath: directory + "/scripts")
        let runtime = try await MailmonRuntime.open(
            databasePath: directory + "/mailmon.sqlite", scriptsDirectory: directory + "/scripts",
            additionalTrustRootsFile: try TestCertificates.shared().caFile)
        _ = try await runtime.database.ensureDefaultOrganization(name: "Org")
        let admin = try await AccessTokens.create(in: runtime.database, role: .admin).principal
        let customer = try await runtime.customers.create(["name": "Acme", "alertLocationThresholdCount": .integer(Int64(threshold))], actor: admin)
        return WorkerFixture(directory: directory, runtime: runtime, admin: admin, customer: customer, clock: ManualClock(), settings: settings)
    }

    var scheduler: CheckScheduler { runtime.scheduler(settings: settings, clock: clock) }
    func dispatcher(_ senders: AlertSenders) -> AlertDispatcher { runtime.dispatcher(settings: settings, senders: senders, clock: clock) }

    /// A plain-IMAP monitor of the test Dovecot's user alice, checked every minute.
    func imapMonitor(_ dovecot: DovecotServer, status: String = "active", email: String? = "ops@example.com", port: Int? = nil)
        async throws -> Monitor
    {
        var body: [String: LuaValue] = [
            "customerId": .integer(customer.id), "name": "Mailbox", "hostname": "127.0.0.1", "port": .integer(Int64(port ?? dovecot.ports.imap)),
            "checkInterval": 1, "timeoutSeconds": 5, "status": .string(status),
            "imapPopConfig": ["protocol": "imap", "user": "alice", "password": "secret", "tls": false],
        ]
        if let email { body["notificationEmail"] = .string(email) }
        return try await runtime.monitors.create(.table(LuaTable(fields: body)), actor: admin)
    }

    /// Replaces a shipped script in this fixture's copy and reloads.
    func replaceScript(_ name: String, with source: String) async throws {
        try source.write(toFile: "\(directory)/scripts/\(name).lua", atomically: true, encoding: .utf8)
        _ = try await runtime.library.reload()
    }

    static var shippedScripts: String { ShippedScripts.path }
}
