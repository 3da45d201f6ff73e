import Foundation

/// Decodes a `LuaValue` tree into any `Decodable`.
///
/// Integers decode from Lua integers or from floats with an exact integer
/// value; floats from either number subtype; strings only from strings.
/// A missing field and `mailmon.null` both decode as `nil` for optionals.
/// `Date` accepts Unix seconds or an ISO-8601 string. Errors name the field path.
public struct LuaValueDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: LuaValue) throws -> T {
        try Cursor(value: value, codingPath: []).decodeValue(type)
    }
}

extension LuaValueDecoder {
    final class Cursor: Decoder {
        let value: LuaValue
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(value: LuaValue, codingPath: [any CodingKey]) {
            self.value = value
            self.codingPath = codingPath
        }

        func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
            if type == LuaValue.self { return value as! T }
            if type == Date.self { return try unboxDate() as! T }
            if type == URL.self {
                guard let s = value.stringValue, let url = URL(string: s) else { throw mismatch(type) }
                return url as! T
            }
            if type == Data.self {
                guard let s = value.stringValue, let data = Data(base64Encoded: s) else { throw mismatch(type) }
                return data as! T
            }
            return try T(from: self)
        }

        private func unboxDate() throws -> Date {
            if let seconds = value.numberValue { return Date(timeIntervalSince1970: seconds) }
            if let s = value.stringValue, let date = try? Date(s, strategy: .iso8601) { return date }
            throw mismatch(Date.self)
        }

        func mismatch(_ type: Any.Type) -> DecodingError {
            if value.isNil {
                return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "expected \(type), found nil"))
            }
            return .typeMismatch(
                type, .init(codingPath: codingPath, debugDescription: "expected \(type), found \(value.typeName)"))
        }

        func table() throws -> LuaTable {
            if case .table(let t) = value { return t }
            throw mismatch(LuaTable.self)
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(Keyed<Key>(cursor: self, table: try table()))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            let t = try table()
            guard t.fields.isEmpty || !t.array.isEmpty else { throw mismatch([LuaValue].self) }
            return Unkeyed(cursor: self, elements: t.array)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(cursor: self) }

        func unboxInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
            guard let i = value.integerValue else { throw mismatch(type) }
            guard let result = T(exactly: i) else {
                throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(i) does not fit \(type)"))
            }
            return result
        }

        func unboxDouble() throws -> Double {
            guard let d = value.numberValue else { throw mismatch(Double.self) }
            return d
        }

        func unboxString() throws -> String {
            guard let s = value.stringValue else { throw mismatch(String.self) }
            return s
        }

        func unboxBool() throws -> Bool {
            guard let b = value.boolValue else { throw mismatch(Bool.self) }
            return b
        }
    }

    private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let cursor: Cursor
        let table: LuaTable
        var codingPath: [any CodingKey] { cursor.codingPath }

        var allKeys: [Key] {
            table.fields.keys.compactMap { Key(stringValue: $0) }
                + table.array.indices.compactMap { Key(stringValue: String($0 + 1)) }
        }

        func lookup(_ key: Key) -> LuaValue {
            if let v = table.fields[key.stringValue] { return v }
            if let i = key.intValue ?? Int(key.stringValue), i >= 1, i <= table.array.count { return table.array[i - 1] }
            return .nil
        }

        func child(_ key: Key) -> Cursor { Cursor(value: lookup(key), codingPath: codingPath + [key]) }

        func contains(_ key: Key) -> Bool { !lookup(key).isNil }

        func decodeNil(forKey key: Key) throws -> Bool { lookup(key).isNil }

        func present(_ key: Key, _ type: Any.Type) throws -> Cursor {
            let c = child(key)
            if c.value.isNil, table.fields[key.stringValue] == nil {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: codingPath, debugDescription: "missing field '\(key.stringValue)'"))
            }
            return c
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try present(key, type).unboxBool() }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try present(key, type).unboxString() }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try present(key, type).unboxDouble() }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try present(key, type).unboxDouble()) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try present(key, type).unboxInteger(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try present(key, type).unboxInteger(type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try present(key, type).unboxInteger(type) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try present(key, type).decodeValue(type) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try present(key, LuaTable.self).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try present(key, LuaTable.self).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder {
            Cursor(value: table.fields["super"] ?? .nil, codingPath: codingPath + [AnyKey("super")])
        }
        func superDecoder(forKey key: Key) throws -> any Decoder { child(key) }
    }

    private struct Unkeyed: UnkeyedDecodingContainer {
        let cursor: Cursor
        let elements: [LuaValue]
        var currentIndex = 0
        var codingPath: [any CodingKey] { cursor.codingPath }
        var count: Int? { elements.count }
        var isAtEnd: Bool { currentIndex >= elements.count }

        init(cursor: Cursor, elements: [LuaValue]) {
            self.cursor = cursor
            self.elements = elements
        }

        mutating func next(_ type: Any.Type) throws -> Cursor {
            let key = AnyKey(intValue: currentIndex + 1)
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    type, .init(codingPath: codingPath + [key], debugDescription: "array has only \(elements.count) elements"))
            }
            defer { currentIndex += 1 }
            return Cursor(value: elements[currentIndex], codingPath: codingPath + [key])
        }

        mutating func decodeNil() throws -> Bool {
            if !isAtEnd, elements[currentIndex].isNil {
                currentIndex += 1
                return true
            }
            return false
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).decodeValue(type) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try next(LuaTable.self).container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try next(LuaTable.self).unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder { try next(LuaValue.self) }
    }

    private struct Single: SingleValueDecodingContainer {
        let cursor: Cursor
        var codingPath: [any CodingKey] { cursor.codingPath }

        func decodeNil() -> Bool { cursor.value.isNil }
        func decode(_ type: Bool.Type) throws -> Bool { try cursor.unboxBool() }
        func decode(_ type: String.Type) throws -> String { try cursor.unboxString() }
        func decode(_ type: Double.Type) throws -> Double { try cursor.unboxDouble() }
        func decode(_ type: Float.Type) throws -> Float { Float(try cursor.unboxDouble()) }
        func decode(_ type: Int.Type) throws -> Int { try cursor.unboxInteger(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try cursor.unboxInteger(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try cursor.unboxInteger(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try cursor.unboxInteger(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try cursor.unboxInteger(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try cursor.unboxInteger(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try cursor.unboxInteger(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try cursor.unboxInteger(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try cursor.unboxInteger(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try cursor.unboxInteger(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try cursor.decodeValue(type) }
    }
}

extension DecodingError {
    /// "at config.port: expected Int, found string", for error messages.
    var luaDescription: String {
        let (path, text): ([any CodingKey], String) =
            switch self {
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): (c.codingPath, c.debugDescription)
            case .keyNotFound(let key, let c): (c.codingPath + [key], c.debugDescription)
            @unknown default: ([], String(describing: self))
            }
        return path.isEmpty ? text : "at \(LuaFieldPath(path)): \(text)"
    }
}

extension EncodingError {
    var luaDescription: String {
        switch self {
        case .invalidValue(_, let c):
            return c.codingPath.isEmpty ? c.debugDescription : "at \(LuaFieldPath(c.codingPath)): \(c.debugDescription)"
        @unknown default: return String(describing: self)
        }
    }
}

/// A coding path written the way a script author reads it: `config.tlsOptions[2].name`.
struct LuaFieldPath: CustomStringConvertible {
    let keys: [any CodingKey]
    init(_ keys: [any CodingKey]) { self.keys = keys }

    var description: String {
        var out = ""
        for key in keys {
            if let i = key.intValue {
                out += "[\(i)]"
            } else {
                out += out.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return out
    }
}
