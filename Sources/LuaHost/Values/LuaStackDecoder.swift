import CLua
import Foundation

/// Decodes a `Decodable` straight from a value on a Lua stack, without a
/// `LuaValue` tree in between. The same rules as `LuaValueDecoder`, and only
/// API calls that cannot raise: raw traversal, `lua_rawgeti`, reads of values
/// that need no conversion. Table values are copied onto the stack while a
/// container is in use; the caller's stack top is restored afterwards.
enum LuaStackDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from S: OpaquePointer, at index: Int32) throws -> T {
        let top = lua_gettop(S)
        defer { lua_settop(S, top) }
        return try LuaStackDecoder(S: S, index: lua_absindex(S, index), codingPath: []).decodeValue(type)
    }
}

final class LuaStackDecoder: Decoder {
    let S: OpaquePointer
    let index: Int32
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(S: OpaquePointer, index: Int32, codingPath: [any CodingKey]) {
        self.S = S
        self.index = index
        self.codingPath = codingPath
    }

    var slot: LuaStackSlot { LuaStackSlot(S: S, index: index, codingPath: codingPath) }

    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if type == LuaValue.self || type == Date.self || type == URL.self || type == Data.self {
            return try LuaValueDecoder().decode(type, from: slot.treeValue())
        }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard lua_type(S, index) == LUA_TTABLE else { throw slot.mismatch([String: LuaValue].self) }
        return KeyedDecodingContainer(LuaStackKeyed<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard lua_type(S, index) == LUA_TTABLE else { throw slot.mismatch([LuaValue].self) }
        let count = Int(lua_rawlen(S, index))
        if count == 0 {
            guard lua_checkstack(S, 2) != 0 else { throw slot.noStack() }
            lua_pushnil(S)
            if lua_next(S, index) != 0 { throw slot.mismatch([LuaValue].self) }
        }
        return LuaStackUnkeyed(decoder: self, count: count)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { LuaStackSingle(decoder: self) }
}

/// One value on the stack, read without conversion.
struct LuaStackSlot {
    let S: OpaquePointer
    let index: Int32
    /// The path of the container and this value's key; joined only when an error needs it.
    let parentPath: [any CodingKey]
    let key: (any CodingKey)?

    init(S: OpaquePointer, index: Int32, codingPath: [any CodingKey]) {
        self.init(S: S, index: index, parentPath: codingPath, key: nil)
    }

    init(S: OpaquePointer, index: Int32, parentPath: [any CodingKey], key: (any CodingKey)?) {
        self.S = S
        self.index = index
        self.parentPath = parentPath
        self.key = key
    }

    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }

    var isNil: Bool {
        let type = lua_type(S, index)
        return type == LUA_TNIL || type == LUA_TNONE || (type == LUA_TLIGHTUSERDATA && lua_touserdata(S, index) == nil)
    }

    func typeName() -> String { isNil ? "nil" : String(cString: lua_typename(S, lua_type(S, index))) }

    func mismatch(_ type: Any.Type) -> DecodingError {
        if isNil { return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "expected \(type), found nil")) }
        return .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(type), found \(typeName())"))
    }

    func noStack() -> DecodingError { .dataCorrupted(.init(codingPath: codingPath, debugDescription: "no Lua stack space left")) }

    func treeValue() throws -> LuaValue {
        do {
            return try LuaStackReader(S).value(at: index)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: error.message))
        }
    }

    func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard lua_type(S, index) == LUA_TNUMBER else { throw mismatch(type) }
        let value: Int64
        if lua_isinteger(S, index) != 0 {
            value = lua_tointegerx(S, index, nil)
        } else if let exact = Int64(exactly: lua_tonumberx(S, index, nil)) {
            value = exact
        } else {
            throw mismatch(type)
        }
        guard let result = T(exactly: value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "\(value) does not fit \(type)"))
        }
        return result
    }

    func double() throws -> Double {
        guard lua_type(S, index) == LUA_TNUMBER else { throw mismatch(Double.self) }
        return lua_isinteger(S, index) != 0 ? Double(lua_tointegerx(S, index, nil)) : lua_tonumberx(S, index, nil)
    }

    func bool() throws -> Bool {
        guard lua_type(S, index) == LUA_TBOOLEAN else { throw mismatch(Bool.self) }
        return lua_toboolean(S, index) != 0
    }

    func string() throws -> String {
        guard lua_type(S, index) == LUA_TSTRING else { throw mismatch(String.self) }
        var length = 0
        let pointer = lua_tolstring(S, index, &length)
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}

/// The keys of a Lua table whose values were copied onto the stack, in traversal order.
/// Not generic, so that lookups compile to plain loops.
struct LuaStackTableKeys {
    enum KeyRef {
        case bytes(UnsafeRawBufferPointer)  // anchored by the table, which is not modified
        case integer(Int64)
        case other
    }

    let keys: [KeyRef]
    /// The values sit at `base + 1 ... base + keys.count`.
    let base: Int32

    /// Copies the values of the table at `table` onto the stack and records its keys.
    init(S: OpaquePointer, table: Int32) {
        base = lua_gettop(S)
        var keys: [KeyRef] = []
        keys.reserveCapacity(16)
        guard lua_checkstack(S, 3) != 0 else {
            self.keys = []
            return
        }
        lua_pushnil(S)
        while lua_next(S, table) != 0 {
            switch lua_type(S, -2) {
            case LUA_TSTRING:
                var length = 0
                let pointer = lua_tolstring(S, -2, &length)
                keys.append(.bytes(UnsafeRawBufferPointer(start: pointer, count: length)))
            case LUA_TNUMBER:
                if lua_isinteger(S, -2) != 0 {
                    keys.append(.integer(lua_tointegerx(S, -2, nil)))
                } else if let exact = Int64(exactly: lua_tonumberx(S, -2, nil)) {
                    keys.append(.integer(exact))
                } else {
                    keys.append(.other)
                }
            default:
                keys.append(.other)
            }
            lua_rotate(S, -2, 1)  // keep the value below the key lua_next continues from
            if lua_checkstack(S, 3) == 0 { break }
        }
        self.keys = keys
    }

    func index(of name: String, intValue: Int?) -> Int32? {
        var found: Int?
        if let direct = name.utf8.withContiguousStorageIfAvailable({ position(ofUTF8: $0) }) {
            found = direct
        } else {
            var copy = name
            found = copy.withUTF8 { position(ofUTF8: $0) }
        }
        if found == nil, let number = intValue.map(Int64.init) ?? Int64(name) {
            var position = 0
            while position < keys.count {
                if case .integer(let i) = keys[position], i == number {
                    found = position
                    break
                }
                position += 1
            }
        }
        return found.map { base + 1 + Int32($0) }
    }

    private func position(ofUTF8 utf8: UnsafeBufferPointer<UInt8>) -> Int? {
        var position = 0
        while position < keys.count {
            if case .bytes(let bytes) = keys[position], bytes.count == utf8.count,
                bytes.count == 0 || memcmp(bytes.baseAddress!, utf8.baseAddress!, utf8.count) == 0
            {
                return position
            }
            position += 1
        }
        return nil
    }

    var names: [String] {
        keys.compactMap {
            switch $0 {
            case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
            case .integer(let i): String(i)
            case .other: nil
            }
        }
    }
}

/// A keyed container over a Lua table: its values sit on the stack, its keys are read in place.
/// A class, so that the standard library's container box copies one reference per call.
private final class LuaStackKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: LuaStackDecoder
    let table: LuaStackTableKeys
    var codingPath: [any CodingKey] { decoder.codingPath }

    init(decoder: LuaStackDecoder) {
        self.decoder = decoder
        self.table = LuaStackTableKeys(S: decoder.S, table: decoder.index)
    }

    /// Reads a field's value; the coding path is built only when the read fails.
    private func read<T>(_ key: Key, _ body: (LuaStackSlot) throws -> T) throws -> T {
        guard let position = index(of: key) else { throw missing(key) }
        do {
            return try body(LuaStackSlot(S: decoder.S, index: position, parentPath: [], key: nil))
        } catch {
            return try body(LuaStackSlot(S: decoder.S, index: position, parentPath: codingPath, key: key))
        }
    }

    private func missing(_ key: Key) -> DecodingError {
        .keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing field '\(key.stringValue)'"))
    }

    func index(of key: Key) -> Int32? { table.index(of: key.stringValue, intValue: key.intValue) }

    var allKeys: [Key] { table.names.compactMap { Key(stringValue: $0) } }

    func slot(_ key: Key) throws -> LuaStackSlot {
        guard let position = index(of: key) else { throw missing(key) }
        return LuaStackSlot(S: decoder.S, index: position, parentPath: codingPath, key: key)
    }

    func contains(_ key: Key) -> Bool {
        guard let position = index(of: key) else { return false }
        return !LuaStackSlot(S: decoder.S, index: position, codingPath: []).isNil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let position = index(of: key) else { return true }
        return LuaStackSlot(S: decoder.S, index: position, codingPath: []).isNil
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try read(key) { try $0.bool() } }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try read(key) { try $0.string() } }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try read(key) { try $0.double() } }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try read(key) { try $0.double() }) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try read(key) { try $0.integer(type) } }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try read(key) { try $0.integer(type) } }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try read(key) { try $0.integer(type) } }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let slot = try slot(key)
        return try LuaStackDecoder(S: decoder.S, index: slot.index, codingPath: slot.codingPath).decodeValue(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let slot = try slot(key)
        return try LuaStackDecoder(S: decoder.S, index: slot.index, codingPath: slot.codingPath).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let slot = try slot(key)
        return try LuaStackDecoder(S: decoder.S, index: slot.index, codingPath: slot.codingPath).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let position = table.index(of: "super", intValue: nil) else {
            throw DecodingError.keyNotFound(AnyKey("super"), .init(codingPath: codingPath, debugDescription: "missing field 'super'"))
        }
        return LuaStackDecoder(S: decoder.S, index: position, codingPath: codingPath + [AnyKey("super")])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        let slot = try slot(key)
        return LuaStackDecoder(S: decoder.S, index: slot.index, codingPath: slot.codingPath)
    }
}

/// An unkeyed container over a Lua sequence; elements are fetched with `lua_rawgeti`.
private struct LuaStackUnkeyed: UnkeyedDecodingContainer {
    let decoder: LuaStackDecoder
    let count: Int?
    var currentIndex = 0
    var codingPath: [any CodingKey] { decoder.codingPath }
    var isAtEnd: Bool { currentIndex >= (count ?? 0) }

    init(decoder: LuaStackDecoder, count: Int) {
        self.decoder = decoder
        self.count = count
    }

    private func push(_ type: Any.Type) throws -> LuaStackSlot {
        let key = AnyKey(intValue: currentIndex + 1)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: codingPath + [key], debugDescription: "array has only \(count ?? 0) elements"))
        }
        guard lua_checkstack(decoder.S, 2) != 0 else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "no Lua stack space left"))
        }
        lua_rawgeti(decoder.S, decoder.index, lua_Integer(currentIndex + 1))
        return LuaStackSlot(S: decoder.S, index: lua_gettop(decoder.S), parentPath: codingPath, key: key)
    }

    mutating func next(_ type: Any.Type) throws -> LuaStackSlot {
        let slot = try push(type)
        currentIndex += 1
        return slot
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        let slot = try push(LuaValue.self)
        if slot.isNil {
            currentIndex += 1
            return true
        }
        lua_settop(decoder.S, -2)
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type).bool() }
    mutating func decode(_ type: String.Type) throws -> String { try next(type).string() }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type).double() }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type).integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type).integer(type) }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let slot = try next(type)
        return try LuaStackDecoder(S: decoder.S, index: slot.index, codingPath: slot.codingPath).decodeValue(type)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let slot = try next(LuaTable.self)
        return try LuaStackDecoder(S: decoder.S, index: slot.index, codingPath: slot.codingPath).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let slot = try next(LuaTable.self)
        return try LuaStackDecoder(S: decoder.S, index: slot.index, codingPath: slot.codingPath).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let slot = try next(LuaValue.self)
        return LuaStackDecoder(S: decoder.S, index: slot.index, codingPath: slot.codingPath)
    }
}

private struct LuaStackSingle: SingleValueDecodingContainer {
    let decoder: LuaStackDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    var slot: LuaStackSlot { decoder.slot }

    func decodeNil() -> Bool { slot.isNil }
    func decode(_ type: Bool.Type) throws -> Bool { try slot.bool() }
    func decode(_ type: String.Type) throws -> String { try slot.string() }
    func decode(_ type: Double.Type) throws -> Double { try slot.double() }
    func decode(_ type: Float.Type) throws -> Float { Float(try slot.double()) }
    func decode(_ type: Int.Type) throws -> Int { try slot.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try slot.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try slot.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try slot.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try slot.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try slot.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try slot.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try slot.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try slot.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try slot.integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decodeValue(type) }
}
