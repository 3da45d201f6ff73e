public import LuaHost
public import Domain

/// Calls `hooks/post_check` `decide(input)` and reads its decision:
/// `{ open = {{type=, message=}}, resolve = {id, …}, alerts = {{channel=, to=, subject=, text=, name=, incident=}} }`.
public struct PostCheckHook: Sendable {
    public static let script = "hooks/post_check"
    /// The default rule, in Lua: what decides when the hook fails.
    public static let fallbackScript = "lib/alerting"
    public static let fallbackFunction = "default_decision"
    let library: ScriptLibrary

    public init(library: ScriptLibrary) {
        self.library = library
    }

    /// `script@version` of the active hook.
    public var version: String {
        library.active.first { $0.name == Self.script }.map { "\(Self.script)@\($0.version)" } ?? Self.script
    }

    public func decide(_ input: HookInput) async throws -> HookDecision {
        let result = try await library.call(Self.script, "decide", [try input.luaValue]).first ?? .nil
        switch result {
        case .nil: return HookDecision()
        case .table(let table): return try HookDecision(lua: table)
        default: throw Self.contract("decide() must return a table or nil, got \(result.typeName)")
        }
    }

    /// When the hook failed: the default rule of `lib/alerting` (`default_decision`), run in a
    /// state of its own. If that fails too, the minimal rule: nothing opened, resolved or alerted
    /// (the check is still recorded, with the hook's error). The error, if any, is returned.
    public func fallback(_ input: HookInput) async -> (HookDecision, fallbackError: String?) {
        do {
            let result = try await library.call(Self.fallbackScript, Self.fallbackFunction, [try input.luaValue]).first ?? .nil
            switch result {
            case .nil: return (HookDecision(), nil)
            case .table(let table): return (try HookDecision(lua: table), nil)
            default: throw Self.contract("\(Self.fallbackFunction)() must return a table or nil, got \(result.typeName)")
            }
        } catch {
            return (HookDecision(), String(describing: error))
        }
    }

    static func contract(_ message: String) -> LuaScriptError {
        LuaScriptError(kind: .contract, script: script + ".lua", message: message)
    }
}

extension HookDecision {
    init(lua table: LuaTable) throws {
        func fail(_ message: String) -> LuaScriptError { PostCheckHook.contract(message) }
        func strings(_ value: LuaValue, _ key: String, required: Bool) throws -> String? {
            switch value {
            case .string(let s) where !s.isEmpty: return s
            case .nil where !required: return nil
            default: throw fail("\(key) must be a non-empty string")
            }
        }
        var decision = HookDecision()
        for (index, item) in (table["open"].tableValue?.array ?? []).enumerated() {
            let type = try strings(item["type"], "open[\(index + 1)].type", required: true)!
            decision.open.append(.init(type: type, message: try strings(item["message"], "open[\(index + 1)].message", required: false)))
        }
        for (index, item) in (table["resolve"].tableValue?.array ?? []).enumerated() {
            guard let id = item.integerValue else { throw fail("resolve[\(index + 1)] must be an incident id") }
            decision.resolve.append(id)
        }
        for (index, item) in (table["alerts"].tableValue?.array ?? []).enumerated() {
            let key = "alerts[\(index + 1)]"
            guard let channel = (item["channel"].stringValue).flatMap(AlertChannelType.init(rawValue:)) else {
                throw fail("\(key).channel must be one of \(AlertChannelType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var event = AlertEvent.trigger
            if !item["event"].isNil {
                guard let text = item["event"].stringValue, let given = AlertEvent(rawValue: text) else {
                    throw fail("\(key).event must be trigger or resolve")
                }
                event = given
            }
            var incident: CheckOutcome.IncidentReference?
            switch item["incident"] {
            case .nil: incident = nil
            case .integer(let id): incident = .existing(id)
            case .string(let type): incident = .opened(type: type)
            default: throw fail("\(key).incident must be an incident id or the type of an incident opened here")
            }
            decision.alerts.append(
                HookDecision.Alert(
                    channel: channel, to: try strings(item["to"], "\(key).to", required: true)!,
                    name: try strings(item["name"], "\(key).name", required: false),
                    subject: try strings(item["subject"], "\(key).subject", required: true)!,
                    text: try strings(item["text"], "\(key).text", required: false) ?? "", incident: incident, event: event))
        }
        self = decision
    }
}
