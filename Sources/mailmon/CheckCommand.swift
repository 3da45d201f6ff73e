import Domain
public import ArgumentParser
import Engine
import Foundation
import LuaHost
import MailProbe

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check one mailbox now, as a monitoring plugin: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        discussion: """
            The first line is the status with performance data (time, phases, messages, cert_days), as
            Nagios, Icinga, Naemon and Checkmk read it; details follow on the next lines.
            Without --user the check stops after the greeting and capabilities (a reachability check).
            Without --port the port comes from the Lua rule in SCRIPTS/lib/ports.lua (imap 993/143, pop3 995/110).
            Bad arguments and set-up errors (unreadable password file, scripts) exit 3 (UNKNOWN).
            """
    )

    @Argument(help: "imap or pop3.") var mailProtocol: MailProtocol
    @Argument(help: "Hostname or IP address.") var host: String
    @Option(help: "Port (default: the Lua default_port rule).") var port: Int?
    @Flag(help: "Implicit TLS (IMAPS/POP3S).") var tls = false
    @Flag(help: "Upgrade with STARTTLS/STLS; fails if the server does not offer it.") var starttls = false
    @Option(help: "User to log in as.") var user: String?
    @Option(help: "Read the password from this file (first line).") var passwordFile: String?
    @Option(help: "Read the password from this environment variable.") var passwordEnv: String?
    @Flag(help: "Do not verify the certificate (rejectUnauthorized: false).") var insecure = false
    @Option(help: "PEM file of extra trusted CA certificates.") var caFile: String?
    @Option(help: "IMAP mailbox to examine.") var mailbox: String = "INBOX"
    @Option(help: "Timeout in seconds for the whole check.") var timeout: Double = 30
    @Option(help: "The script directory (for the default-port rule).") var scripts: String = "scripts"
    @Flag(help: "Print the result as JSON (the exit code stays the plugin's).") var json = false
    @Option(help: "WARNING when the check takes this many seconds or more.") var warning: Double?
    @Option(help: "CRITICAL when the check takes this many seconds or more.") var critical: Double?
    @Option(help: "WARNING when the certificate expires within this many days.") var certWarning: Int?
    @Option(help: "CRITICAL when the certificate expires within this many days.") var certCritical: Int?

    func validate() throws {
        if tls && starttls { throw ValidationError("--tls and --starttls exclude each other") }
        if passwordFile != nil && passwordEnv != nil { throw ValidationError("use --password-file or --password-env, not both") }
        if (passwordFile != nil || passwordEnv != nil) && user == nil { throw ValidationError("a password needs --user") }
        if let port, !(1...65_535).contains(port) { throw ValidationError("--port must be 1-65535") }
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be in (0, 300]") }
        for (name, value) in [("--warning", warning), ("--critical", critical)] {
            if let value, !(value > 0) { throw ValidationError("\(name) must be a number of seconds above 0") }
        }
        for (name, value) in [("--cert-warning", certWarning), ("--cert-critical", certCritical)] {
            if let value, value < 0 { throw ValidationError("\(name) must be a number of days, 0 or more") }
        }
    }

    func run() async throws {
        let result: ProbeResult
        do {
            result = try await check()
        } catch {
            // A set-up error (password file, scripts, CA file) is UNKNOWN to a plugin host.
            print("MAILMON UNKNOWN - \(error)")
            throw ExitCode(PluginStatus.unknown.rawValue)
        }
        let thresholds = PluginThresholds(warning: warning, critical: critical, certWarning: certWarning, certCritical: certCritical)
        if json {
            print(String(decoding: try JSONEncoder.mailmon(pretty: true).encode(result), as: UTF8.self))
        } else {
            print(PluginOutput.statusLine(result, thresholds))
            print(CheckReport.text(result))
        }
        let status = PluginOutput.status(result, thresholds)
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    private func check() async throws -> ProbeResult {
        let request = CheckRequest(
            mailProtocol: mailProtocol, host: host, port: port, tls: tls, starttls: starttls, user: user,
            password: try readPassword(), mailbox: mailbox, rejectUnauthorized: !insecure, timeoutSeconds: timeout)
        let handle = ScriptLibraryHandle()
        // Only the default port comes from Lua (`lib/ports`): with --port the check needs no scripts.
        if port == nil {
            let library = ScriptLibrary(directory: scripts)
            do {
                try await library.reload()
            } catch {
                throw CLIError("cannot load the scripts in \(scripts) (they give the default port; --port needs none): \(error)")
            }
            handle.set(library)
        }
        let transport = try ProbeTransport(additionalTrustRootsFile: caFile)
        let runner = CheckRunner(probes: ProbeRegistry(transport: transport), ports: PortRule(library: handle))
        return try await runner.run(request)
    }

    private func readPassword() throws -> String? {
        if let passwordFile {
            let text = try String(contentsOfFile: passwordFile, encoding: .utf8)
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        if let passwordEnv {
            guard let value = ProcessInfo.processInfo.environment[passwordEnv] else {
                throw CLIError("the environment variable \(passwordEnv) is not set")
            }
            return value
        }
        return nil
    }
}

extension MailProtocol: ExpressibleByArgument {}

struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
