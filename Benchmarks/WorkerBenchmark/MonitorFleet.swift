import App
import Engine
import Foundation
import GRDB
import LuaHost
import Logging
import SQLiteStore
import Domain

/// A fresh database with `count` monitors of the tiny IMAP server, created through the
/// service (Lua policy and all), and a read of the results the worker stored.
struct MonitorFleet: Sendable {
    let runtime: MailmonRuntime
    let directory: String
    let creationSeconds: Double

    /// `oauth`: the token endpoint and one refresh token per account; the monitors log in with
    /// OAuth2, account `index % accounts.count`. Nil: a password each.
    static func create(
        count: Int, imapPort: Int, scriptsDirectory: String, oauth: (endpoint: String, refreshTokens: [String])? = nil
    ) async throws -> MonitorFleet {
        let directory = NSTemporaryDirectory() + "mm-worker-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        var logger = Logger(label: "mailmon")
        logger.logLevel = .critical  // checks cut off by the end of the run would log; failures are counted from the database
        let runtime = try await MailmonRuntime.open(
            databasePath: directory + "/mailmon.sqlite", scriptsDirectory: scriptsDirectory, logger: logger)
        _ = try await runtime.database.ensureDefaultOrganization(name: "Bench")
        let admin = try await AccessTokens.create(in: runtime.database, role: .admin).principal
        let customer = try await runtime.customers.create(["name": "Fleet"], actor: admin)
        let start = Date()
        for index in 0..<count {
            var config: LuaValue = ["protocol": "imap", "user": .string("user\(index)"), "password": "secret"]
            if let oauth {
                let account = index % oauth.refreshTokens.count
                config = [
                    "protocol": "imap", "user": .string("account\(account)"),
                    "auth": [
                        "type": "oauth2", "tokenEndpoint": .string(oauth.endpoint), "clientId": "bench",
                        "refreshToken": .string(oauth.refreshTokens[account]),
                    ],
                ]
            }
            _ = try await runtime.monitors.create(.table(LuaTable(fields: [
                "customerId": .integer(customer.id), "name": .string("Mailbox \(index)"), "hostname": "127.0.0.1",
                "port": .integer(Int64(imapPort)), "checkInterval": 1, "timeoutSeconds": 10, "imapPopConfig": config,
            ])), actor: admin)
        }
        return MonitorFleet(runtime: runtime, directory: directory, creationSeconds: Date().timeIntervalSince(start))
    }

    struct Check {
        let dueAt: Date
        let checkedAt: Date
        let ok: Bool
        let category: String?
    }

    /// Scheduled checks stored since `date` (read straight from the file: a benchmark tool).
    func checks(since date: Date) throws -> [Check] {
        let queue = try DatabaseQueue(path: directory + "/mailmon.sqlite")
        return try queue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT dueAt, checkedAt, ok, category FROM checkResult WHERE dueAt IS NOT NULL AND checkedAt >= ?",
                arguments: [Int64(date.timeIntervalSince1970 * 1000)]
            ).map { row in
                Check(
                    dueAt: Date(timeIntervalSince1970: Double(row["dueAt"] as Int64) / 1000),
                    checkedAt: Date(timeIntervalSince1970: Double(row["checkedAt"] as Int64) / 1000), ok: row["ok"], category: row["category"])
            }
        }
    }

    func removeFiles() { try? FileManager.default.removeItem(atPath: directory) }
}
