import App
import Domain
import Engine
import Foundation
import LuaHost
import MailmonTestSupport
import SQLiteStore
import Testing

/// `mailmon config check|show`, the config file's strictness at start, and `mailmon backup` of a live database.
@Suite("mailmon config and mailmon backup")
struct ConfigAndBackupTests {
    struct Run {
        let status: Int32
        let output: String
    }

    static func mailmon(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws -> Run {
        let process = try ChildProcess.spawn(try MailmonBinary.path(), arguments, environment: environment, outputPrefix: directory + "/cmd")
        let status = try process.waitForExit()
        return Run(status: status, output: process.output)
    }

    @Test("unknown keys and wrong types are refused with the key's name, by config check and at start")
    func strictFile() throws {
        let directory = try TemporaryDirectory.make(prefix: "mm-config-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/config.json"
        try #"{"server": {"hostname": "127.0.0.1", "prot": 8080}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let check = try Self.mailmon(["config", "check", "--config", file], in: directory)
        #expect(check.status == 1)
        #expect(check.output.contains("unknown key 'server.prot'"), "\(check.output)")
        let serve = try Self.mailmon(["serve", "--config", file, "--database", directory + "/db.sqlite"], in: directory)
        #expect(serve.status != 0 && serve.output.contains("unknown key 'server.prot'"), "\(serve.output)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/db.sqlite"), "refused before the database is opened")

        try #"{"worker": {"concurrency": "many"}}"#.write(toFile: file, atomically: true, encoding: .utf8)
        let typed = try Self.mailmon(["config", "check", "--config", file], in: directory)
        #expect(typed.status == 1 && typed.output.contains("worker.concurrency"), "\(typed.output)")

        try #"{"worker": {"concurrency": 8}, "log": {"format": "json"}, "metrics": {"perMonitor": false}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let good = try Self.mailmon(["config", "check", "--config", file], in: directory)
        #expect(good.status == 0 && good.output.hasPrefix("ok: \(file)"), "\(good.output)")
        let badLevel = try Self.mailmon(["config", "check", "--config", file], in: directory, environment: ["MAILMON_LOG_LEVEL": "loud"])
        #expect(badLevel.status == 1 && badLevel.output.contains("not loud"), "\(badLevel.output)")
        let emptyToken = try Self.mailmon(["config", "check", "--config", file], in: directory, environment: ["MAILMON_METRICS_TOKEN": ""])
        #expect(emptyToken.status == 1 && emptyToken.output.contains("the metrics token is empty"), "\(emptyToken.output)")
        let badListen = try Self.mailmon(
            ["worker", "--listen", "nowhere", "--database", directory + "/worker.sqlite"], in: directory)
        #expect(badListen.status != 0 && badListen.output.contains("HOST:PORT"), "\(badListen.output)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/worker.sqlite"), "refused before the database is opened")
    }

    @Test("config show: flags over environment over file, secrets from _FILE and the file, every secret redacted")
    func show() throws {
        let directory = try TemporaryDirectory.make(prefix: "mm-config-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/config.json"
        try "Relay-From-File-123\n".write(toFile: directory + "/relay", atomically: true, encoding: .utf8)
        try #"{"X-Secret": "Sms-From-File-246"}"#.write(toFile: directory + "/sms-headers.json", atomically: true, encoding: .utf8)
        try """
            {"server": {"port": 9000}, "database": "/var/lib/mailmon/file.sqlite",
             "smtp": {"host": "relay.example.com", "port": 587, "from": "mm@example.com", "username": "mm", "password": "In-File-456"},
             "sms": {"url": "https://sms.example.com/send", "headers": {"X-Api-Key": "Sms-Key-789"}},
             "metrics": {"token": "Metrics-In-File-000"}}
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let run = try Self.mailmon(
            ["config", "show", "--config", file, "--port", "9100"], in: directory,
            environment: [
                "MAILMON_DATABASE": "/srv/env.sqlite", "MAILMON_SMTP_PASSWORD_FILE": directory + "/relay", "MAILMON_PORT": "9050",
                "MAILMON_SMS_HEADERS_FILE": directory + "/sms-headers.json",
            ])
        #expect(run.status == 0, "\(run.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any], "\(run.output)")
        #expect((json["server"] as? [String: Any])?["port"] as? Int == 9100, "the flag wins")
        #expect(json["database"] as? String == "/srv/env.sqlite", "the environment wins over the file")
        #expect((json["smtp"] as? [String: Any])?["password"] as? String == "<redacted>")
        #expect(((json["sms"] as? [String: Any])?["headers"] as? [String: String])?["X-Api-Key"] == "<redacted>")
        #expect(((json["sms"] as? [String: Any])?["headers"] as? [String: String])?["X-Secret"] == "<redacted>", "headers from MAILMON_SMS_HEADERS_FILE")
        #expect((json["metrics"] as? [String: Any])?["token"] as? String == "<redacted>")
        for secret in ["Relay-From-File-123", "In-File-456", "Sms-Key-789", "Metrics-In-File-000", "Sms-From-File-246"] {
            #expect(!run.output.contains(secret), "\(secret) shown")
        }
        let missing = try Self.mailmon(
            ["config", "check", "--config", file], in: directory, environment: ["MAILMON_SMTP_PASSWORD_FILE": directory + "/nope"])
        #expect(missing.status == 1 && missing.output.contains("cannot read the secret file \(directory)/nope"), "\(missing.output)")
    }

    @Test("backup while run writes: a consistent, checked copy that the next start opens; an existing file is never overwritten")
    func backupLive() async throws {
        let directory = try MailmonBinary.workspace("mm-backup-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (runtime, admin, customer) = try await MailmonBinary.runtimeWithCustomer(in: directory)
        let port = try FreePorts.take(1)[0]
        let run = try MailmonBinary.start("run", in: directory, ["--port", "\(port)"], name: "run")
        try await run.waitUntil("the listener") { FreePorts.accepts(port) }
        // Writes go on while the copy is taken.
        let writer = Task {
            var made = 0
            while !Task.isCancelled, made < 2000 {
                _ = try await runtime.monitors.create(
                    .table(LuaTable(fields: [
                        "customerId": .integer(customer.id), "name": .string("m\(made)"), "hostname": "127.0.0.1", "port": 1,
                        "status": "disabled", "imapPopConfig": ["protocol": "imap"],
                    ])), actor: admin)
                made += 1
            }
            return made
        }
        try await Task.sleep(for: .milliseconds(300))
        let copy = directory + "/backup.sqlite"
        let backup = try Self.mailmon(["backup", "--database", directory + "/mailmon.sqlite", copy], in: directory)
        let made = try await writer.value
        #expect(backup.status == 0, "\(backup.output)")
        #expect(backup.output.contains("integrity ok"))
        #expect(try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int == 0o600, "a copy of secrets is not world-readable")
        let line = try #require(backup.output.split(separator: "\n").first { $0.contains("monitor:") })
        let copied = Int(line.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) ?? -1
        #expect(copied >= 0 && copied <= made, "\(copied) of \(made)")
        run.send(SIGTERM)
        #expect(try run.waitForExit() == 0)
        // The copy opens as a database (migrations already applied) with exactly what it reported.
        let restored = try AppDatabase(path: copy)
        let page = try await restored.monitors(
            MonitorQuery(organizationId: admin.organizationId, customerId: nil, search: nil, page: 1, perPage: 1))
        #expect(page.total == copied)
        let again = try Self.mailmon(["backup", "--database", directory + "/mailmon.sqlite", copy], in: directory)
        #expect(again.status == 1 && again.output.contains("exists; a backup never overwrites a file"), "\(again.output)")
    }
}

@Suite("make install's layout")
struct InstalledLayoutTests {
    @Test("an installed binary finds the shipped scripts in PREFIX/share/mailmon/scripts, and they pass scripts check there")
    func findsShareDirectory() throws {
        let prefix = try TemporaryDirectory.make(prefix: "mm-prefix-")
        defer { try? FileManager.default.removeItem(atPath: prefix) }
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: prefix + "/share/mailmon", withIntermediateDirectories: true)
        // A hard link (a copy across file systems) stands for the installed binary: /proc/self/exe names PREFIX/bin/mailmon.
        do {
            try FileManager.default.linkItem(atPath: try MailmonBinary.path(), toPath: prefix + "/bin/mailmon")
        } catch {
            try FileManager.default.copyItem(atPath: try MailmonBinary.path(), toPath: prefix + "/bin/mailmon")
        }
        try FileManager.default.copyItem(atPath: MailmonBinary.shippedScripts, toPath: prefix + "/share/mailmon/scripts")
        let work = try TemporaryDirectory.make(prefix: "mm-cwd-")
        defer { try? FileManager.default.removeItem(atPath: work) }
        // Run from a directory without scripts/, as systemd does.
        let process = try ChildProcess.spawn(
            "/bin/sh", ["-c", "cd \(work) && \(prefix)/bin/mailmon config show"], outputPrefix: work + "/show")
        #expect(try process.waitForExit() == 0, "\(process.output)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/show.out"))) as? [String: Any]
        #expect(json?["scripts"] as? String == prefix + "/share/mailmon/scripts", "\(process.output)")
        let check = try ChildProcess.spawn(
            "/bin/sh", ["-c", "cd \(work) && \(prefix)/bin/mailmon scripts check \(prefix)/share/mailmon/scripts"], outputPrefix: work + "/check")
        #expect(try check.waitForExit() == 0, "\(check.output)")
    }
}

@Suite("mailmon org")
struct OrgCommandTests {
    @Test("org create prints the new organization's admin token, which works on the API for that organization only; org list counts")
    func createAndList() async throws {
        let directory = try MailmonBinary.workspace("mm-org-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (runtime, _, _) = try await MailmonBinary.runtimeWithCustomer(in: directory)
        let create = try ConfigAndBackupTests.mailmon(["org", "create", "Beta GmbH", "--database", directory + "/mailmon.sqlite"], in: directory)
        #expect(create.status == 0, "\(create.output)")
        let token = try #require(create.output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("mm_") })
        let principal = try #require(try await runtime.database.principal(tokenHash: AccessTokens.hash(token)))
        #expect(principal.role == .admin && !principal.platformOperator)
        #expect(try await runtime.customers.list(search: nil, page: 1, perPage: 10, actor: principal).items.isEmpty, "a new tenant sees no one else's customers")
        let list = try ConfigAndBackupTests.mailmon(["org", "list", "--json", "--database", directory + "/mailmon.sqlite"], in: directory)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.output.utf8)) as? [[String: Any]], "\(list.output)")
        #expect(rows.map { $0["name"] as? String } == ["Org", "Beta GmbH"])
        #expect(rows.map { $0["customers"] as? Int } == [1, 0] && rows.map { $0["tokens"] as? Int } == [1, 1])
    }
}
