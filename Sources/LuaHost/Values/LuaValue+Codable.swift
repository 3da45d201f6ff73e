/// `LuaValue` is itself Codable, so it can sit inside Codable types
/// (an open-ended `config` object, for example) and pass through unchanged.
extension LuaValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .nil
        } else if let b = try? container.decode(Bool.self) {
            self = .boolean(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .integer(i)
        } else if let d = try? container.decode(Double.self) {
            self = .number(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([LuaValue].self) {
            self = .table(LuaTable(array: a))
        } else {
            self = .table(LuaTable(fields: try container.decode([String: LuaValue].self)))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .nil:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .boolean(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .integer(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .number(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .table(let t):
            if t.fields.isEmpty && !t.array.isEmpty {
                var c = encoder.unkeyedContainer()
                for v in t.array { try c.encode(v) }
            } else {
                var c = encoder.container(keyedBy: AnyKey.self)
                for (i, v) in t.array.enumerated() { try c.encode(v, forKey: AnyKey(String(i + 1))) }
                for (k, v) in t.fields { try c.encode(v, forKey: AnyKey(k)) }
            }
        }
    }
}

/// A coding key for any string.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ string: String) { self.stringValue = string }
    init(stringValue: String) { self.stringValue = stringValue }
    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }
}
