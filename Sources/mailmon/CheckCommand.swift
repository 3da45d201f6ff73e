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
            OAuth2 (XOAUTH2/OAUTHBEARER instead of a password): give a ready access token
            (--oauth2-access-token-file/-env), or a token endpoint with --oauth2-client-id and a refresh
            token (--oauth2-refresh-token-file/-env) or --oauth2-grant client_credentials with a client
            secret. A refresh token the provider rotates is written back to --oauth2-refresh-token-file.
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
    @Option(help: "The name sent as SNI and verified in the certificate, instead of the host.") var servername: String?
    @Option(help: "The oldest TLS version to accept: TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3 (older fails as tls_policy).")
    var minTlsVersion: String?
    @Option(help: "IMAP mailbox to examine.") var mailbox: String = "INBOX"
    @Option(help: "Timeout in seconds for the whole check.") var timeout: Double = 30
    @Option(help: "The script directory (for the default-port rule).") var scripts: String = "scripts"
    @Flag(help: "Print the result as JSON (the exit code stays the plugin's).") var json = false
    @Option(help: "WARNING when the check takes this many seconds or more.") var warning: Double?
    @Option(help: "CRITICAL when the check takes this many seconds or more.") var critical: Double?
    @Option(help: "WARNING when the certificate expires within this many days.") var certWarning: Int?
    @Option(help: "CRITICAL when the certificate expires within this many days.") var certCritical: Int?
    @Option(name: .customLong("oauth2-access-token-file"), help: "OAuth2: read a ready access token from this file.") var accessTokenFile: String?
    @Option(name: .customLong("oauth2-access-token-env"), help: "OAuth2: read a ready access token from this environment variable.")
    var accessTokenEnv: String?
    @Option(name: .customLong("oauth2-token-endpoint"), help: "OAuth2: the token endpoint (https).") var tokenEndpoint: String?
    @Option(name: .customLong("oauth2-client-id"), help: "OAuth2: the client id.") var clientId: String?
    @Option(name: .customLong("oauth2-client-secret-file"), help: "OAuth2: read the client secret from this file.") var clientSecretFile: String?
    @Option(name: .customLong("oauth2-client-secret-env"), help: "OAuth2: read the client secret from this environment variable.")
    var clientSecretEnv: String?
    @Option(name: .customLong("oauth2-refresh-token-file"), help: "OAuth2: read the refresh token from this file (rewritten when rotated).")
    var refreshTokenFile: String?
    @Option(name: .customLong("oauth2-refresh-token-env"), help: "OAuth2: read the refresh token from this environment variable.")
    var refreshTokenEnv: String?
    @Option(name: .customLong("oauth2-grant"), help: "OAuth2: refresh_token (default) or client_credentials.") var grant: String = "refresh_token"
    @Option(name: .customLong("oauth2-scope"), help: "OAuth2: the scope to ask for.") var scope: String?
    @Option(name: .customLong("oauth2-mechanism"), help: "OAuth2: XOAUTH2 or OAUTHBEARER (default: what the server offers).")
    var mechanism: String?

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
        let ready = accessTokenFile != nil || accessTokenEnv != nil
        let fetched = tokenEndpoint != nil || clientId != nil
        if ready || fetched {
            if user == nil { throw ValidationError("an OAuth2 login needs --user (the mailbox to log in as)") }
            if passwordFile != nil || passwordEnv != nil { throw ValidationError("an OAuth2 login takes no password") }
        }
        if accessTokenFile != nil && accessTokenEnv != nil { throw ValidationError("use --oauth2-access-token-file or -env, not both") }
        if ready && fetched { throw ValidationError("give a ready access token or a token endpoint, not both") }
        if fetched {
            guard tokenEndpoint != nil, clientId != nil else { throw ValidationError("--oauth2-token-endpoint and --oauth2-client-id go together") }
            switch grant {
            case "refresh_token":
                if (refreshTokenFile == nil) == (refreshTokenEnv == nil) {
                    throw ValidationError("the refresh_token grant needs one of --oauth2-refresh-token-file and -env")
                }
            case "client_credentials":
                if (clientSecretFile == nil) == (clientSecretEnv == nil) {
                    throw ValidationError("the client_credentials grant needs one of --oauth2-client-secret-file and -env")
                }
            default: throw ValidationError("--oauth2-grant must be refresh_token or client_credentials")
            }
        }
        if let mechanism, OAuthMechanism(rawValue: mechanism.uppercased()) == nil {
            throw ValidationError("--oauth2-mechanism must be XOAUTH2 or OAUTHBEARER")
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
        var request = CheckRequest(
            mailProtocol: mailProtocol, host: host, port: port, tls: tls, starttls: starttls, user: user,
            password: try readPassword(), mailbox: mailbox, rejectUnauthorized: !insecure, timeoutSeconds: timeout,
            oauthMechanism: mechanism.flatMap { OAuthMechanism(rawValue: $0.uppercased()) })
        request.accessToken = try secret(file: accessTokenFile, env: accessTokenEnv)
        request.servername = servername
        if let minTlsVersion {
            guard let version = MinimumTLSVersion(rawValue: minTlsVersion) else {
                throw ValidationError("--min-tls-version must be TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3")
            }
            request.minVersion = version
        }
        if let settings = try oauthSettings() {
            let refreshFile = refreshTokenFile
            let source = OAuthTokenSource(rotated: { _, _, new in
                if let refreshFile {
                    try? (new + "\n").write(toFile: refreshFile, atomically: true, encoding: .utf8)
                } else {
                    FileHandle.standardError.write(Data("mailmon: the provider rotated the refresh token; the one given may no longer work\n".utf8))
                }
            })
            do {
                request.accessToken = try await source.token(
                    monitorId: 0, settings: settings, timeout: .milliseconds(Int64((timeout * 1000).rounded()))).token
            } catch let failure as OAuthTokenSource.Failure {
                return .notStarted(
                    .oauthToken, message: failure.description, mailProtocol: mailProtocol, host: host, port: port ?? 0,
                    security: request.security, at: Date())
            }
        }
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

    /// The token endpoint settings of the --oauth2-… options, nil without an endpoint.
    private func oauthSettings() throws -> OAuthSettings? {
        guard let tokenEndpoint, let clientId else { return nil }
        let secret = try secret(file: clientSecretFile, env: clientSecretEnv)
        let grant: OAuthSettings.Grant =
            grant == "client_credentials" ? .clientCredentials : .refreshToken(try self.secret(file: refreshTokenFile, env: refreshTokenEnv) ?? "")
        return OAuthSettings(
            tokenEndpoint: tokenEndpoint, clientId: clientId, clientSecret: secret, grant: grant, scope: scope,
            mechanism: mechanism.flatMap { OAuthMechanism(rawValue: $0.uppercased()) })
    }

    /// A secret from the first line of a file, or from an environment variable.
    private func secret(file: String?, env: String?) throws -> String? {
        if let file {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            return String(text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
        }
        if let env {
            guard let value = ProcessInfo.processInfo.environment[env] else { throw CLIError("the environment variable \(env) is not set") }
            return value
        }
        return nil
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
