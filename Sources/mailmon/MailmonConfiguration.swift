import App
import Engine
import Notifiers
import Foundation

/// The optional JSON config file (`--config PATH` or MAILMON_CONFIG). Every key is
/// optional; flags win over MAILMON_* variables, which win over the file. See docs/operations.md.
/// A key the file does not know, or a value of the wrong type, stops the process with its name.
struct MailmonConfiguration: Codable {
    struct Server: Codable {
        var hostname: String?
        var port: Int?
        /// API writes at work at once (`--write-concurrency`).
        var writeConcurrency: Int?
        /// Seconds a connection has to send a request head (`MAILMON_REQUEST_HEAD_TIMEOUT`, default 10).
        var requestHeadTimeoutSeconds: Int?
        /// Seconds a stalled request or silent connection is kept (`MAILMON_IDLE_TIMEOUT`, default 60).
        var idleTimeoutSeconds: Int?
        /// Open connections at most (`--max-connections`, `MAILMON_MAX_CONNECTIONS`; default from the open-file limit).
        var maxConnections: Int?
        /// Invalid tokens one address may send a minute before they are slowed, then refused 429
        /// (`MAILMON_AUTH_FAILURE_LIMIT`, default 10; twice as many more are slowed).
        var authFailureLimit: Int?
    }

    struct Metrics: Codable {
        /// Per-monitor series on `/metrics` (`MAILMON_METRICS_PER_MONITOR`, default true).
        var perMonitor: Bool?
        /// When set, `/metrics` wants `Authorization: Bearer <token>` (`MAILMON_METRICS_TOKEN`).
        var token: String?
        /// The token's file (first line; `MAILMON_METRICS_TOKEN_FILE`).
        var tokenFile: String?
    }

    struct Log: Codable {
        /// `text` or `json` (`--log-format`, `MAILMON_LOG_FORMAT`).
        var format: LogFormat?
        /// swift-log's levels (`--log-level`, `MAILMON_LOG_LEVEL`).
        var level: String?
    }

    /// The relay, and where its password may come from instead of the file itself.
    struct Smtp: Codable {
        var relay: SmtpRelay
        /// The password's file (first line; `MAILMON_SMTP_PASSWORD_FILE`).
        var passwordFile: String?

        enum CodingKeys: String, CodingKey { case passwordFile }

        init(from decoder: any Decoder) throws {
            relay = try SmtpRelay(from: decoder)
            passwordFile = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .passwordFile)
        }

        func encode(to encoder: any Encoder) throws {
            try relay.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(passwordFile, forKey: .passwordFile)
        }
    }

    /// The SMS gateway, and a file its secret headers (an API key) may come from instead of the file itself.
    struct Sms: Codable {
        var gateway: SmsGateway
        /// A JSON object of headers merged over `headers` (`MAILMON_SMS_HEADERS_FILE`).
        var headersFile: String?

        enum CodingKeys: String, CodingKey { case headersFile }

        init(from decoder: any Decoder) throws {
            gateway = try SmsGateway(from: decoder)
            headersFile = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .headersFile)
        }

        func encode(to encoder: any Encoder) throws {
            try gateway.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(headersFile, forKey: .headersFile)
        }
    }

    var server: Server?
    var database: String?
    var scripts: String?
    /// A PEM bundle trusted beside the system CA store for checks (a private CA).
    var trustedCAFile: String?
    var worker: WorkerSettings?
    var smtp: Smtp?
    var sms: Sms?
    var metrics: Metrics?
    var log: Log?
    /// The key file that seals secrets at rest (`--secret-key-file`, `MAILMON_SECRET_KEY_FILE`).
    var secretKeyFile: String?
    /// `mailmon worker`'s own `/health`, `/ready` and `/metrics` (`HOST:PORT`; `--listen`, `MAILMON_WORKER_LISTEN`).
    var workerListen: String?

    static func load(_ path: String?) throws -> MailmonConfiguration {
        guard let path, !path.isEmpty else { return MailmonConfiguration() }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError("cannot read the config file \(path): \(error.localizedDescription)")
        }
        let configuration: MailmonConfiguration
        do {
            configuration = try JSONDecoder().decode(MailmonConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError("config file \(path): \(error.configurationDescription)")
        }
        if let unknown = try configuration.unknownKeys(in: data).first {
            throw ConfigurationError("config file \(path): unknown key '\(unknown)' (docs/operations.md lists the keys)")
        }
        return configuration
    }

    /// Keys of `data` (dotted paths) that decoding did not use: what encoding the decoded value
    /// again does not write back. A key set to null is ignored.
    func unknownKeys(in data: Data) throws -> [String] {
        let given = try JSONSerialization.jsonObject(with: data)
        let known = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self))
        var unknown: [String] = []
        func walk(_ given: Any, _ known: Any?, _ path: String) {
            guard let object = given as? [String: Any] else { return }
            let knownObject = known as? [String: Any] ?? [:]
            for (key, value) in object.sorted(by: { $0.key < $1.key }) where !(value is NSNull) {
                let keyPath = path.isEmpty ? key : path + "." + key
                if let knownValue = knownObject[key] {
                    walk(value, knownValue, keyPath)
                } else {
                    unknown.append(keyPath)
                }
            }
        }
        walk(given, known, "")
        return unknown
    }
}

struct ConfigurationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension DecodingError {
    var configurationDescription: String {
        func path(_ context: Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch self {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): return "\(path(c)): \(c.debugDescription)"
        case .keyNotFound(let key, let c): return "\(path(c)): missing key '\(key.stringValue)'"
        @unknown default: return "\(self)"
        }
    }
}
