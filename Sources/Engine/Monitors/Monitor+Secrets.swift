public import Domain
import Foundation
import LuaHost

extension Monitor {
    /// What a secret shows as to whoever may not change it; sent back in a PATCH, it keeps the stored secret.
    public static let secretMask = "********"

    /// The keys of `config.auth` that are secrets (masked like the password).
    public static let authSecretKeys = ["clientSecret", "refreshToken", "privateKey"]

    /// The monitor with its mailbox password and OAuth2 secrets replaced by the mask (the config otherwise as stored).
    public func maskingSecrets() -> Monitor {
        guard var config = (try? LuaValue(json: fields.config.utf8))?.tableValue else { return self }
        var auth = config["auth"].tableValue
        let secretInAuth = Self.authSecretKeys.contains { auth?[$0].isNil == false }
        guard !config["password"].isNil || secretInAuth else { return self }
        if !config["password"].isNil { config["password"] = .string(Self.secretMask) }
        if secretInAuth, var masked = auth {
            for key in Self.authSecretKeys where !masked[key].isNil { masked[key] = .string(Self.secretMask) }
            auth = masked
            config["auth"] = .table(masked)
        }
        var copy = self
        copy.fields.config = (try? LuaValue.table(config).jsonText(leadingKeys: MonitorConfigKeys.documentedOrder)) ?? "{}"
        return copy
    }
}

extension AlertChannel {
    /// The channel with its URL cut to scheme and host (the path and query carry the keys).
    public func maskingSecrets() -> AlertChannel {
        var copy = self
        let scheme = url.range(of: "://").map { String(url[..<$0.upperBound]) } ?? ""
        let rest = url.dropFirst(scheme.count)
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        copy.url = scheme + host + "/" + Monitor.secretMask
        return copy
    }
}
