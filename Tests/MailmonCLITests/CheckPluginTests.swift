import App
import Foundation
import MailmonTestSupport
import Testing

/// `mailmon check` run by a monitoring-plugin host: exit codes 0-3 and performance data as the
/// Monitoring Plugins Development Guidelines define them, against a real Dovecot.
@Suite("mailmon check as a monitoring plugin")
struct CheckPluginTests {
    struct Run {
        let status: Int32
        let lines: [String]
        var statusLine: String { lines.first ?? "" }
    }

    /// Runs `mailmon check ARGS` with the password in MM_CHECK_PASSWORD; waits for its exit.
    func check(_ arguments: [String], password: String = "secret") throws -> Run {
        let directory = try TemporaryDirectory.make(prefix: "mm-check-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try ChildProcess.spawn(
            try MailmonBinary.path(), ["check"] + arguments + ["--scripts", MailmonBinary.shippedScripts],
            environment: ["MM_CHECK_PASSWORD": password], outputPrefix: directory + "/check")
        let status = try process.waitForExit()
        let output = (try? String(contentsOfFile: directory + "/check.out", encoding: .utf8)) ?? ""
        return Run(status: status, lines: output.split(separator: "\n").map(String.init))
    }

    /// One performance datum: `'label'=value[UOM];[warn];[crit];[min];[max]` (the guidelines' form).
    struct Datum: Equatable {
        var label: String, value: Double, unit: String, warn: String, crit: String, min: String, max: String
    }

    /// Parses what follows the first `|` of the status line; nil if any item breaks the form.
    static func performanceData(_ line: String) -> [Datum]? {
        guard let bar = line.firstIndex(of: "|") else { return nil }
        let pattern = #"^('[^'=]+'|[^'= ]+)=(-?[0-9]+(?:\.[0-9]+)?)(s|ms|us|%|B|KB|MB|TB|c)?((?:;[-0-9.:~@]*){0,4})$"#
        var data: [Datum] = []
        for item in line[line.index(after: bar)...].split(separator: " ") {
            guard let match = String(item).wholeMatch(of: try! Regex(pattern)) else { return nil }
            func part(_ index: Int) -> String { match.output[index].substring.map(String.init) ?? "" }
            var fields = part(4).split(separator: ";", omittingEmptySubsequences: false).dropFirst().map(String.init)
            while fields.count < 4 { fields.append("") }
            guard let value = Double(part(2)) else { return nil }
            data.append(Datum(label: part(1), value: value, unit: part(3), warn: fields[0], crit: fields[1], min: fields[2], max: fields[3]))
        }
        return data
    }

    @Test("OK, WARNING, CRITICAL and UNKNOWN, each with a status line and valid performance data")
    func exitCodes() async throws {
        let dovecot = try DovecotServer.start()
        defer { dovecot.stop() }
        let login = ["imap", "127.0.0.1", "--port", "\(dovecot.ports.imap)", "--user", "alice", "--password-env", "MM_CHECK_PASSWORD"]

        let ok = try check(login + ["--warning", "20", "--critical", "30"])
        #expect(ok.status == 0, "\(ok.lines)")
        #expect(ok.statusLine.hasPrefix("IMAP OK - 127.0.0.1:\(dovecot.ports.imap)"))
        let data = try #require(Self.performanceData(ok.statusLine), "perfdata breaks the guidelines: \(ok.statusLine)")
        let time = try #require(data.first { $0.label == "time" })
        #expect(time.unit == "s" && time.warn == "20" && time.crit == "30" && time.min == "0" && time.value > 0)
        #expect(data.first { $0.label == "messages" }?.value == Double(DovecotServer.messagesPerUser))
        #expect(data.contains { $0.label == "login" && $0.unit == "s" })

        let slow = try check(login + ["--warning", "0.000001"])
        #expect(slow.status == 1 && slow.statusLine.hasPrefix("IMAP WARNING - "), "\(slow.lines)")
        let slower = try check(login + ["--warning", "0.000001", "--critical", "0.000002"])
        #expect(slower.status == 2 && slower.statusLine.hasPrefix("IMAP CRITICAL - "), "\(slower.lines)")

        let wrong = try check(login, password: "wrong")
        #expect(wrong.status == 2 && wrong.statusLine.hasPrefix("IMAP CRITICAL - auth_failed"), "\(wrong.lines)")
        #expect(Self.performanceData(wrong.statusLine) != nil)
        #expect(!wrong.lines.joined().contains("wrong"), "no password in the output")

        let pop = try check(["pop3", "127.0.0.1", "--port", "\(dovecot.ports.pop3s)", "--tls", "--ca-file", dovecot.certificates.caFile,
                             "--user", "alice", "--password-env", "MM_CHECK_PASSWORD", "--cert-warning", "100000"])
        #expect(pop.status == 1 && pop.statusLine.hasPrefix("POP3 WARNING - "), "a certificate within the warning days: \(pop.lines)")
        let days = try #require(Self.performanceData(pop.statusLine)?.first { $0.label == "cert_days" })
        #expect(days.warn == "100000" && days.value > 0)
        let expiring = try check(["imap", "127.0.0.1", "--port", "\(dovecot.ports.imaps)", "--tls", "--ca-file", dovecot.certificates.caFile,
                                  "--cert-critical", "100000"])
        #expect(expiring.status == 2 && expiring.statusLine.hasPrefix("IMAP CRITICAL - "), "\(expiring.lines)")

        let badPort = try check(["imap", "127.0.0.1", "--port", "70000"])
        #expect(badPort.status == 3 && badPort.statusLine.hasPrefix("MAILMON UNKNOWN - "), "\(badPort.lines)")
        let badThreshold = try check(["imap", "127.0.0.1", "--port", "143", "--warning", "soon"])
        #expect(badThreshold.status == 3, "\(badThreshold.lines)")
        let missingFile = try check(["imap", "127.0.0.1", "--port", "\(dovecot.ports.imap)", "--user", "alice", "--password-file", "/nonexistent/pw"])
        #expect(missingFile.status == 3 && missingFile.statusLine.hasPrefix("MAILMON UNKNOWN - "), "\(missingFile.lines)")
    }

    @Test("mailmon --version prints the release")
    func version() throws {
        let directory = try TemporaryDirectory.make(prefix: "mm-version-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = try ChildProcess.spawn(try MailmonBinary.path(), ["--version"], outputPrefix: directory + "/version")
        #expect(try process.waitForExit() == 0)
        let output = try String(contentsOfFile: directory + "/version.out", encoding: .utf8)
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == MailmonVersion.current)
    }

    @Test("OAuth2: a ready access token, a refresh token (rewritten to its file when rotated), and a revoked one as CRITICAL oauth_token")
    func oauth2() async throws {
        let oauth = try await OAuthServer.start()
        let dovecot = try DovecotServer.start(oauth2Introspection: oauth.introspectionURL)
        defer { dovecot.stop() }
        let directory = try TemporaryDirectory.make(prefix: "mm-check-oauth-")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let target = ["pop3", "127.0.0.1", "--port", "\(dovecot.ports.pop3)", "--user", "alice"]

        oauth.issueAccessToken("ready-token-123", user: "alice")
        try "ready-token-123\n".write(toFile: directory + "/access", atomically: true, encoding: .utf8)
        let ready = try check(target + ["--oauth2-access-token-file", directory + "/access"])
        #expect(ready.status == 0, "\(ready.lines)")

        oauth.addRefreshToken("rt-cli-1", user: "alice")
        try "rt-cli-1\n".write(toFile: directory + "/refresh", atomically: true, encoding: .utf8)
        let refreshed = try check(target + [
            "--oauth2-token-endpoint", oauth.tokenURL, "--oauth2-client-id", "cli", "--oauth2-refresh-token-file", directory + "/refresh",
        ])
        #expect(refreshed.status == 0, "\(refreshed.lines)")
        let rotated = try String(contentsOfFile: directory + "/refresh", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(rotated != "rt-cli-1" && oauth.refreshTokens == [rotated])

        oauth.revokeRefreshToken(rotated)
        let revoked = try check(target + [
            "--oauth2-token-endpoint", oauth.tokenURL, "--oauth2-client-id", "cli", "--oauth2-refresh-token-file", directory + "/refresh",
        ])
        #expect(revoked.status == 2, "\(revoked.lines)")
        #expect(revoked.lines.joined(separator: "\n").contains("invalid_grant") && !revoked.lines.joined().contains(rotated), "\(revoked.lines)")
        try await oauth.stop()
    }
}
