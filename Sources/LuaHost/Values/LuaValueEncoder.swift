import Foundation

/// Encodes any `Encodable` into a `LuaValue` tree.
///
/// Rules (docs/lua.md, "Values"): integers stay integers, floating point stays
/// float; `nil` optionals are omitted (synthesized Codable skips them), an
/// explicit `encodeNil` becomes `.nil` (in a table: `mailmon.null`); `Date` is
/// Unix time in seconds (a float); `URL` is its absolute string; `Data` is a
/// base64 string.
public struct LuaValueEncoder: Sendable {
    public init() {}

    public func encode<T: Encodable>(_ value: T) throws -> LuaValue {
        if let direct = value as? LuaValue { return direct }
        let cursor = Cursor(codingPath: [])
        try cursor.encodeValue(value)
        return cursor.finish()
    }
}

extension LuaValueEncoder {
    /// A position in the value being encoded: holds a finished value or an open table.
    final class Cursor: Encoder {
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        private var slot: Slot = .value(.nil)

        init(codingPath: [any CodingKey]) { self.codingPath = codingPath }

        func store(_ value: LuaValue) { slot = .value(value) }

        func finish() -> LuaValue { slot.finish() }

        func openTable() -> TableBox {
            if case .table(let box) = slot { return box }
            let box = TableBox()
            slot = .table(box)
            return box
        }

        func encodeValue<T: Encodable>(_ value: T) throws {
            switch value {
            case let v as LuaValue: slot = .value(v)
            case let d as Date: slot = .value(.number(d.timeIntervalSince1970))
            case let u as URL: slot = .value(.string(u.absoluteString))
            case let d as Data: slot = .value(.string(d.base64EncodedString()))
            default: try value.encode(to: self)
            }
        }

        func child<T: Encodable>(_ value: T, key: any CodingKey) throws -> Slot {
            let cursor = Cursor(codingPath: codingPath + [key])
            try cursor.encodeValue(value)
            return cursor.slot
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(cursor: self, box: openTable()))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(cursor: self, box: openTable()) }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(cursor: self) }
    }

    final class TableBox {
        var array: [Slot] = []
        var fields: [(String, Slot)] = []
    }

    enum Slot {
        case value(LuaValue)
        case table(TableBox)
        case cursor(Cursor)

        func finish() -> LuaValue {
            switch self {
            case .value(let v): return v
            case .cursor(let c): return c.finish()
            case .table(let box):
                var fields: [String: LuaValue] = [:]
                fields.reserveCapacity(box.fields.count)
                for (key, slot) in box.fields { fields[key] = slot.finish() }
                return .table(LuaTable(array: box.array.map { $0.finish() }, fields: fields))
            }
        }
    }

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let cursor: Cursor
        let box: TableBox
        var codingPath: [any CodingKey] { cursor.codingPath }

        func set(_ value: LuaValue, _ key: Key) { box.fields.append((key.stringValue, .value(value))) }

        mutating func encodeNil(forKey key: Key) throws { set(.nil, key) }
        mutating func encode(_ value: Bool, forKey key: Key) throws { set(.boolean(value), key) }
        mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
        mutating func encode(_ value: Double, forKey key: Key) throws { set(.number(value), key) }
        mutating func encode(_ value: Float, forKey key: Key) throws { set(.number(Double(value)), key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws { set(.integer(value), key) }
        mutating func encode(_ value: UInt, forKey key: Key) throws { set(try integer(value, key), key) }
        mutating func encode(_ value: UInt8, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: UInt16, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: UInt32, forKey key: Key) throws { set(.integer(Int64(value)), key) }
        mutating func encode(_ value: UInt64, forKey key: Key) throws { set(try integer(value, key), key) }

        func integer<U: UnsignedInteger>(_ value: U, _ key: Key) throws -> LuaValue {
            guard let i = Int64(exactly: value) else {
                throw EncodingError.invalidValue(
                    value, .init(codingPath: codingPath + [key], debugDescription: "\(value) does not fit a Lua integer"))
            }
            return .integer(i)
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            box.fields.append((key.stringValue, try cursor.child(value, key: key)))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Cursor(codingPath: codingPath + [key])
            box.fields.append((key.stringValue, .cursor(child)))
            return child.container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = Cursor(codingPath: codingPath + [key])
            box.fields.append((key.stringValue, .cursor(child)))
            return child.unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder { superEncoder(named: AnyKey("super")) }

        mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(named: key) }

        private func superEncoder(named key: any CodingKey) -> any Encoder {
            let child = Cursor(codingPath: codingPath + [key])
            box.fields.append((key.stringValue, .cursor(child)))
            return child
        }
    }

    private struct Unkeyed: UnkeyedEncodingContainer {
        let cursor: Cursor
        let box: TableBox
        var codingPath: [any CodingKey] { cursor.codingPath }
        var count: Int { box.array.count }
        private var nextKey: AnyKey { AnyKey(intValue: box.array.count + 1) }

        mutating func encodeNil() throws { box.array.append(.value(.nil)) }
        mutating func encode(_ value: Bool) throws { box.array.append(.value(.boolean(value))) }
        mutating func encode(_ value: String) throws { box.array.append(.value(.string(value))) }
        mutating func encode(_ value: Int) throws { box.array.append(.value(.integer(Int64(value)))) }
        mutating func encode(_ value: Int64) throws { box.array.append(.value(.integer(value))) }
        mutating func encode(_ value: Double) throws { box.array.append(.value(.number(value))) }

        mutating func encode<T: Encodable>(_ value: T) throws {
            box.array.append(try cursor.child(value, key: nextKey))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            let child = Cursor(codingPath: codingPath + [nextKey])
            box.array.append(.cursor(child))
            return child.container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = Cursor(codingPath: codingPath + [nextKey])
            box.array.append(.cursor(child))
            return child.unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            let child = Cursor(codingPath: codingPath + [nextKey])
            box.array.append(.cursor(child))
            return child
        }
    }

    private struct Single: SingleValueEncodingContainer {
        let cursor: Cursor
        var codingPath: [any CodingKey] { cursor.codingPath }

        mutating func encodeNil() throws { cursor.store(.nil) }
        mutating func encode(_ value: Bool) throws { cursor.store(.boolean(value)) }
        mutating func encode(_ value: String) throws { cursor.store(.string(value)) }
        mutating func encode(_ value: Double) throws { cursor.store(.number(value)) }
        mutating func encode(_ value: Float) throws { cursor.store(.number(Double(value))) }
        mutating func encode(_ value: Int) throws { cursor.store(.integer(Int64(value))) }
        mutating func encode(_ value: Int8) throws { cursor.store(.integer(Int64(value))) }
        mutating func encode(_ value: Int16) throws { cursor.store(.integer(Int64(value))) }
        mutating func encode(_ value: Int32) throws { cursor.store(.integer(Int64(value))) }
        mutating func encode(_ value: Int64) throws { cursor.store(.integer(value)) }
        mutating func encode(_ value: UInt8) throws { cursor.store(.integer(Int64(value))) }
        mutating func encode(_ value: UInt16) throws { cursor.store(.integer(Int64(value))) }
        mutating func encode(_ value: UInt32) throws { cursor.store(.integer(Int64(value))) }
        mutating func encode(_ value: UInt) throws { try encode(UInt64(value)) }
        mutating func encode(_ value: UInt64) throws {
            guard let i = Int64(exactly: value) else {
                throw EncodingError.invalidValue(
                    value, .init(codingPath: codingPath, debugDescription: "\(value) does not fit a Lua integer"))
            }
            cursor.store(.integer(i))
        }
        mutating func encode<T: Encodable>(_ value: T) throws { try cursor.encodeValue(value) }
    }
}
