import App
import Domain
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Testing

/// Mailbox passwords and channel URLs sealed with AES-GCM in the database file and its WAL;
/// the key file, a wrong key, an old database, and rotation.
@Suite("Secrets at rest")
struct SecretsAtRestTests {
    static let passwords = ["Known-Pw-One-8841", "Known-Pw-Two-5530", "Known-Pw-Three-1207"]
    static let channelKey = "T00/B00/Known-Hook-Key-7761"

    /// Every byte of the database, its WAL and shared memory, as text (lossy: only ASCII secrets are looked for).
    static func rawFiles(_ databasePath: String) -> String {
        ["", "-wal", "-shm"].compactMap { FileManager.default.contents(atPath: databasePath + $0) }
            .map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
    }

    static func createMonitors(_ f: WorkerFixture) async throws -> [Monitor] {
        var made: [Monitor] = []
        for (index, password) in passwords.enumerated() {
            made.append(
                try await f.runtime.monitors.create(
                    .table(LuaTable(fields: [
                        "customerId": .integer(f.customer.id), "name": .string("Box \(index)"), "hostname": "mail.example.com",
                        "imapPopConfig": ["protocol": "imap", "user": "alice", "password": .string(password)],
                    ])), actor: f.admin))
        }
        _ = try await f.runtime.database.addAlertChannel(
            organizationId: f.admin.organizationId, customerId: nil, type: .slack, name: "ops",
            url: "https://hooks.slack.com/services/" + channelKey, at: Date())
        return made
    }

    @Test("no known secret in the database file, WAL or shared memory, the alert outbox included; the API still reads them; the key file is 0600")
    func sealedInTheFiles() async throws {
        let f = try await WorkerFixture.make()
        let made = try await Self.createMonitors(f)
        // A failing check owes the Slack channel an alert: its URL waits in the outbox.
        let refused = try RefusedPort()
        defer { refused.close() }
        _ = try await f.imapMonitorAt(port: refused.port)
        try await f.scheduler.scheduleNew()
        f.clock.advance(5)
        let checks = try await f.scheduler.runDue()
        #expect(checks.reduce(0) { $0 + $1.deliveriesQueued } >= 1)
        let owed = try await f.runtime.database.dueDeliveries(now: f.clock.now(), limit: 10)
        #expect(owed.contains { $0.recipient.hasSuffix(Self.channelKey) }, "the dispatcher reads the URL back")
        let database = f.directory + "/mailmon.sqlite"
        let raw = Self.rawFiles(database)
        #expect(raw.contains("mail.example.com"), "the search reads the files")
        for secret in Self.passwords + [Self.channelKey] { #expect(!raw.contains(secret), "\(secret) in the database files") }
        #expect(raw.contains("enc:v1:\(f.runtime.secrets.currentKeyId):"))
        let (read, _) = try await f.runtime.monitors.view(made[1].publicId.uuidString, actor: f.admin)
        #expect(read.fields.config.contains(Self.passwords[1]))
        #expect(try await f.runtime.database.allAlertChannels(organizationId: f.admin.organizationId).first?.url.hasSuffix(Self.channelKey) == true)
        let keyFile = MailmonRuntime.defaultSecretKeyFile(databasePath: database)
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("a start with another key file is refused, naming the key; nothing is read or written")
    func wrongKey() async throws {
        let f = try await WorkerFixture.make()
        _ = try await Self.createMonitors(f)
        let other = f.directory + "/other.key"
        do {
            _ = try await MailmonRuntime.open(
                databasePath: f.directory + "/mailmon.sqlite", scriptsDirectory: f.directory + "/scripts", secretKeyFile: other)
            Issue.record("opened with the wrong key")
        } catch {
            #expect("\(error)".contains("sealed with key \(f.runtime.secrets.currentKeyId), which the key file does not have"), "\(error)")
        }
    }

    @Test("a database written before encryption is sealed on the first start with a key, and no clear copy stays in its files")
    func upgradeSealsClearRows() async throws {
        let directory = try TemporaryDirectory.make(prefix: "mm-secrets-")
        let path = directory + "/mailmon.sqlite"
        do {
            let clear = try AppDatabase(path: path)
            let organization = try await clear.ensureDefaultOrganization(name: "Org").id
            let customer = try await clear.insertCustomer(
                NewCustomer(publicId: UUID(), organizationId: organization, name: "Acme", email: nil, allowedCheckCountryCodes: [],
                            alertLocationThresholdCount: 1))
            for password in Self.passwords {
                _ = try await clear.insertMonitor(
                    publicId: UUID(), organizationId: organization, customerId: customer.id,
                    fields: MonitorFields(
                        name: "Old", hostname: "mail.example.com", port: nil, checkInterval: 5, timeoutSeconds: 30, status: .active,
                        config: #"{"protocol":"imap","user":"alice","password":"\#(password)"}"#, notificationEmail: nil,
                        notificationPhoneNumber: nil, allowedCheckCountryCodes: [], policyVersion: "test"),
                    at: Date())
            }
            _ = try await clear.checkpointWAL()
            #expect(Self.rawFiles(path).contains(Self.passwords[0]), "written in clear before")
        }
        let ring = try SecretKeyRing.load(path: directory + "/mailmon.key")
        let sealed = try AppDatabase(path: path, cipher: ring)
        let raw = Self.rawFiles(path)
        for secret in Self.passwords { #expect(!raw.contains(secret), "\(secret) left in the files") }
        let page = try await sealed.monitors(MonitorQuery(organizationId: nil, customerId: nil, search: nil, page: 1, perPage: 10))
        #expect(Set(page.items.compactMap { item in Self.passwords.first { item.0.fields.config.contains($0) } }) == Set(Self.passwords))
    }

    @Test("rotate: a new key seals everything, a process holding the old ring still reads; prune drops the old key")
    func rotation() async throws {
        let f = try await WorkerFixture.make()
        let made = try await Self.createMonitors(f)
        let database = f.directory + "/mailmon.sqlite"
        let keyFile = MailmonRuntime.defaultSecretKeyFile(databasePath: database)
        let old = f.runtime.secrets.currentKeyId
        let rotated = try await StoreLocation.rotateSecrets(databasePath: database, keyFile: keyFile)
        #expect(rotated.keyId != old && rotated.resealed == 4 && rotated.inUse == [rotated.keyId])
        let unopened = try await AppDatabase(path: database).monitors(MonitorQuery(organizationId: nil, customerId: nil, search: nil, page: 1, perPage: 10))
        #expect(unopened.items.allSatisfy { $0.0.fields.config.hasPrefix("enc:v1:\(rotated.keyId):") }, "nothing left under the old key")
        // The running runtime (old ring) reads rows sealed with the new key: it reads the key file again.
        let (read, _) = try await f.runtime.monitors.view(made[0].publicId.uuidString, actor: f.admin)
        #expect(read.fields.config.contains(Self.passwords[0]))
        // What it writes now is under its old key, which prune re-seals after the restart.
        _ = try await Self.createMonitors(f)
        let pruned = try await StoreLocation.pruneSecrets(databasePath: database, keyFile: keyFile)
        #expect(pruned.resealed == 4 && pruned.removed == 1)
        let keys = try String(contentsOfFile: keyFile, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(keys.count == 1)
        let reopened = try await MailmonRuntime.open(databasePath: database, scriptsDirectory: f.directory + "/scripts")
        #expect(reopened.secrets.keyIds == [rotated.keyId])
        let all = try await reopened.database.monitors(MonitorQuery(organizationId: nil, customerId: nil, search: nil, page: 1, perPage: 10))
        #expect(all.items.count == 6 && all.items.allSatisfy { item in Self.passwords.contains { item.0.fields.config.contains($0) } })
    }
}
