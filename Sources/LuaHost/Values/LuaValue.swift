/// A Lua value that can cross between Swift and a Lua state.
///
/// Functions, userdata and threads never cross; converting one is an error.
/// `.nil` inside a table travels as the sentinel `mailmon.null` so that the key
/// survives (Lua tables cannot hold nil); reading `mailmon.null` gives `.nil`.
public enum LuaValue: Sendable, Hashable {
    case `nil`
    case boolean(Bool)
    /// Lua 5.4's integer subtype: all 64 bits are kept.
    case integer(Int64)
    case number(Double)
    case string(String)
    case table(LuaTable)
}

/// A Lua table split into its sequence part (`t[1]…t[n]`) and its string-keyed fields.
///
/// Integer keys that do not continue the sequence are kept as string fields
/// (`"7"`), as JSON would; keys of any other type cannot cross.
public struct LuaTable: Sendable, Hashable {
    public var array: [LuaValue]
    public var fields: [String: LuaValue]
    /// True for an empty table that was an empty JSON array (`[]`), which Lua cannot tell
    /// from `{}`: the host's type checks read it. A hint about where the value came from, not
    /// part of it: equality and hashing ignore it, and a table from Lua never has it.
    public var wasEmptyJSONArray = false

    public init(array: [LuaValue] = [], fields: [String: LuaValue] = [:]) {
        self.array = array
        self.fields = fields
    }

    public var isEmpty: Bool { array.isEmpty && fields.isEmpty }

    public static func == (left: LuaTable, right: LuaTable) -> Bool { left.array == right.array && left.fields == right.fields }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(array)
        hasher.combine(fields)
    }

    public subscript(key: String) -> LuaValue {
        get { fields[key] ?? .nil }
        set { fields[key] = newValue }
    }
}

extension LuaValue {
    public subscript(key: String) -> LuaValue {
        if case .table(let table) = self { return table[key] }
        return .nil
    }

    public subscript(index: Int) -> LuaValue {
        if case .table(let table) = self, index >= 1, index <= table.array.count { return table.array[index - 1] }
        return .nil
    }

    public var isNil: Bool { if case .nil = self { return true } else { return false } }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

    public var boolValue: Bool? { if case .boolean(let b) = self { return b } else { return nil } }

    /// The integer, also for a float with an exact integer value.
    public var integerValue: Int64? {
        switch self {
        case .integer(let i): return i
        case .number(let d): return Int64(exactly: d)
        default: return nil
        }
    }

    public var numberValue: Double? {
        switch self {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    public var tableValue: LuaTable? { if case .table(let t) = self { return t } else { return nil } }

    /// The Lua type name, as `type()` would say it.
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .table: "table"
        }
    }
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: LuaValue...) { self = .table(LuaTable(array: elements)) }
    public init(dictionaryLiteral elements: (String, LuaValue)...) {
        self = .table(LuaTable(fields: Dictionary(elements, uniquingKeysWith: { _, last in last })))
    }
}

extension LuaValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .nil: return "nil"
        case .boolean(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .number(let d): return String(d)
        case .string(let s): return String(reflecting: s)
        case .table(let t):
            let items = t.array.map(\.description)
                + t.fields.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value.description)" }
            return "{" + items.joined(separator: ", ") + "}"
        }
    }
}
