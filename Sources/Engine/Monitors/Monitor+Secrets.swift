public import Domain
import Foundation
import LuaHost

extension Monitor {
    /// What a secret shows as to whoever may not change it; sent back in a PATCH, it keeps the stored secret.
    public static let secretMask = "********"

    /// The monitor with its mailbox password replaced by the mask (the config otherwise as stored).
    public func maskingSecrets() -> Monitor {
        guard var config = (try? LuaValue(json: fields.config.utf8))?.tableValue, !config["password"].isNil else { return self }
        config["password"] = .string(Self.secretMask)
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
