import Domain
import Foundation
public import LuaHost
import MailProbe

extension LuaHostFunctions {
    /// `mailmon.check.imap{…}` and `mailmon.check.pop3{…}`: asynchronous (the
    /// script yields while the check runs). The table takes the keys of
    /// `CheckRequest` except `protocol`, plus `tlsOptions = {rejectUnauthorized, ca, servername, minVersion}`;
    /// the result is the check result as a table (see docs/checks.md).
    /// A `password` that is a handle from `sealed` (a hook's `input.check.password`) is replaced
    /// by the password it stands for.
    public static func checks(_ runner: CheckRunner, sealed: SealedSecrets = SealedSecrets()) -> LuaHostFunctions {
        var functions = LuaHostFunctions()
        for mailProtocol in MailProtocol.allCases {
            functions.registerAsync("mailmon.check.\(mailProtocol.rawValue)") { call in
                var request = try CheckRequest(luaTable: call[0], mailProtocol: mailProtocol)
                if let password = request.password, let unsealed = try sealed.unseal(password) { request.password = unsealed }
                let result = try await runner.run(request)
                return [try LuaValue(result)]
            }
        }
        return functions
    }
}

extension CheckRequest {
    init(luaTable value: LuaValue, mailProtocol: MailProtocol) throws {
        guard let table = value.tableValue else { throw LuaHostError("expects a table {host = …}, got \(value.typeName)") }
        guard let host = table["host"].stringValue, !host.isEmpty else { throw LuaHostError("'host' is required") }
        func bool(_ key: String, _ fallback: Bool) throws -> Bool {
            switch table[key] {
            case .nil: return fallback
            case .boolean(let b): return b
            default: throw LuaHostError("'\(key)' must be a boolean")
            }
        }
        func string(_ key: String) throws -> String? {
            switch table[key] {
            case .nil: return nil
            case .string(let s): return s
            default: throw LuaHostError("'\(key)' must be a string")
            }
        }
        var port: Int?
        if !table["port"].isNil {
            guard let value = table["port"].integerValue, (1...65_535).contains(value) else {
                throw LuaHostError("'port' must be an integer 1-65535")
            }
            port = Int(value)
        }
        let options = table["tlsOptions"].tableValue
        let reject = try options.map { options -> Bool in
            guard case .boolean(let b) = options["rejectUnauthorized"] else { return true }
            return b
        } ?? bool("rejectUnauthorized", true)
        func option(_ key: String) throws -> String? {
            switch options?[key] ?? .nil {
            case .nil: return nil
            case .string(let s): return s
            default: throw LuaHostError("'tlsOptions.\(key)' must be a string")
            }
        }
        var minVersion: MinimumTLSVersion?
        if let text = try option("minVersion") {
            guard let version = MinimumTLSVersion(rawValue: text) else {
                throw LuaHostError("'tlsOptions.minVersion' must be TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3")
            }
            minVersion = version
        }
        var timeout = 30.0
        if !table["timeoutSeconds"].isNil {
            guard let seconds = table["timeoutSeconds"].numberValue, seconds > 0, seconds <= 300 else {
                throw LuaHostError("'timeoutSeconds' must be a number in (0, 300]")
            }
            timeout = seconds
        }
        self.init(
            mailProtocol: mailProtocol, host: host, port: port, tls: try bool("tls", false), starttls: try bool("starttls", false),
            user: try string("user"), password: try string("password"), mailbox: try string("mailbox"),
            rejectUnauthorized: reject, timeoutSeconds: timeout)
        ca = try option("ca")
        servername = try option("servername")
        self.minVersion = minVersion
        newestMessageDate = try bool("newestMessageDate", false) || !table["newestMessageMaxAgeMinutes"].isNil
    }
}

extension LuaValue {
    /// A value through its JSON form (dates as API timestamps, nil fields omitted).
    public init<T: Encodable>(_ value: T) throws {
        let data = try JSONEncoder.mailmon().encode(value)
        self = try JSONDecoder().decode(LuaValue.self, from: data)
    }
}
