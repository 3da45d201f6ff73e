import Domain
import LuaHost

/// `{ reject = { status = 4xx, message = "…" } }`, as every policy script refuses: the refusal
/// with the status the script chose (`defaultStatus` when it named none), or a contract error.
enum PolicyRejection {
    static func error(_ reject: LuaTable, script: String, defaultStatus: Int) -> any Error {
        let status = reject["status"].integerValue.map(Int.init) ?? defaultStatus
        guard (400...499).contains(status) else {
            return LuaScriptError(kind: .contract, script: script + ".lua", message: "reject.status must be a 4xx status")
        }
        return DomainError(.rejectedByPolicy(status: status), reject["message"].stringValue ?? "rejected by \(script)")
    }
}
