import API
import App
import ArgumentParser
import Engine
import Foundation
import Logging
import Notifiers

/// `mailmon config check` and `mailmon config show`.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Validate a config file, or print the settings in effect.", subcommands: [Check.self, Show.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the config file with the flags and MAILMON_* variables in effect; exit 1 naming the first problem.",
            discussion: "Checks what `serve`, `worker` and `run` check before they open the database: unknown keys, types, ranges, secret files.")
        @OptionGroup var options: ServerOptions

        func run() async throws {
            do {
                _ = try EffectiveSettings(options: options)
                print("ok: \(options.config ?? options.environment["MAILMON_CONFIG"] ?? "no config file; flags, environment and defaults")")
            } catch let error as ConfigurationError {
                print("error: \(error)")
                throw ExitCode(1)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the settings in effect (flags, then MAILMON_* variables, then the file, then defaults) as JSON, secrets redacted.")
        @OptionGroup var options: ServerOptions

        func run() async throws {
            do {
                print(try EffectiveSettings(options: options).json())
            } catch let error as ConfigurationError {
                print("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

/// Every setting as the processes would resolve it, for `config check` and `config show`.
struct EffectiveSettings {
    static let redacted = "<redacted>"
    var values: [String: Any]

    init(options: ServerOptions) throws {
        let file = try options.file()
        let limits = try options.resolvedLimits(file, openFiles: OpenFileLimit.inForce)
        let worker = options.resolvedWorkerSettings(file)
        let workerObject = try JSONSerialization.jsonObject(with: JSONEncoder().encode(worker))
        var smtp: Any = NSNull()
        if let relay = try options.resolvedSmtp(file) {
            var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(relay)) as? [String: Any] ?? [:]
            if object["password"] != nil { object["password"] = Self.redacted }
            smtp = object
        }
        var sms: Any = NSNull()
        if let gateway = try options.resolvedSms(file) {
            sms = ["url": gateway.url, "from": gateway.from as Any? ?? NSNull(), "headers": gateway.headers.mapValues { _ in Self.redacted }]
        }
        let listen = options.environment["MAILMON_WORKER_LISTEN"] ?? file.workerListen
        if let listen { _ = try ListenAddress.parse(listen) }
        values = [
            "server": [
                "hostname": options.resolvedHostname(file), "port": try options.resolvedPort(file),
                "writeConcurrency": try options.resolvedWriteConcurrency(file), "maxConnections": limits.maxConnections,
                "requestHeadTimeoutSeconds": limits.requestHeadTimeoutSeconds, "idleTimeoutSeconds": limits.idleTimeoutSeconds,
                "authFailureLimit": try options.resolvedAuthFailures(file).freeFailures,
            ],
            "database": options.resolvedDatabase(file),
            "scripts": options.resolvedScripts(file),
            "secretKeyFile": options.environment["MAILMON_SECRET_KEY"] != nil ? "MAILMON_SECRET_KEY (<redacted>)" : options.resolvedSecretKeyFile(file),
            "trustedCAFile": file.trustedCAFile as Any? ?? NSNull(),
            "worker": workerObject,
            "workerListen": listen as Any? ?? NSNull(),
            "smtp": smtp,
            "sms": sms,
            "metrics": [
                "perMonitor": try options.resolvedMetricsPerMonitor(file),
                "token": try options.resolvedMetricsToken(file) == nil ? NSNull() as Any : Self.redacted as Any,
            ],
            "log": ["format": try options.resolvedLogFormat(file).rawValue, "level": try options.resolvedLogLevel(file).rawValue],
        ]
    }

    func json() throws -> String {
        let data = try JSONSerialization.data(withJSONObject: values, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
