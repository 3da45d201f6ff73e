import Engine
import Notifiers
import Foundation

/// The optional JSON config file (`--config PATH` or MAILMON_CONFIG). Every key is
/// optional; flags win over MAILMON_* variables, which win over the file. See docs/operations.md.
struct MailmonConfiguration: Decodable {
    struct Server: Decodable {
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
    }

    var server: Server?
    var database: String?
    var scripts: String?
    /// A PEM bundle trusted beside the system CA store for checks (a private CA).
    var trustedCAFile: String?
    var worker: WorkerSettings?
    var smtp: SmtpRelay?
    var sms: SmsGateway?

    static func load(_ path: String?) throws -> MailmonConfiguration {
        guard let path, !path.isEmpty else { return MailmonConfiguration() }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError("cannot read the config file \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(MailmonConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw ConfigurationError("config file \(path): \(error.configurationDescription)")
        }
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
