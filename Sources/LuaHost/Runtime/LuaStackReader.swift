import CLua

/// Reads Lua values into `LuaValue` with API calls that never raise: no
/// metamethods, no conversions in place, raw traversal with `lua_next`.
struct LuaStackReader {
    struct Failure: Error {
        var path: [String]
        var reason: String
        var message: String {
            let joined = path.joined()
            return path.isEmpty ? reason : "at \(joined.hasPrefix(".") ? String(joined.dropFirst()) : joined): \(reason)"
        }
    }

    static let maxDepth = 64

    let S: OpaquePointer

    init(_ S: OpaquePointer) { self.S = S }

    func value(at index: Int32) throws(Failure) -> LuaValue {
        try read(index, depth: 0)
    }

    private func read(_ index: Int32, depth: Int) throws(Failure) -> LuaValue {
        switch lua_type(S, index) {
        case LUA_TNIL:
            return .nil
        case LUA_TBOOLEAN:
            return .boolean(lua_toboolean(S, index) != 0)
        case LUA_TNUMBER:
            return lua_isinteger(S, index) != 0 ? .integer(lua_tointegerx(S, index, nil)) : .number(lua_tonumberx(S, index, nil))
        case LUA_TSTRING:
            return .string(string(at: index))
        case LUA_TLIGHTUSERDATA where lua_touserdata(S, index) == nil:
            return .nil  // mailmon.null
        case LUA_TTABLE:
            return .table(try table(at: index, depth: depth))
        default:
            throw Failure(path: [], reason: "a \(typeName(index)) cannot be passed to the host")
        }
    }

    /// The string at `index`; call only when its type is `LUA_TSTRING` (no conversion happens).
    func string(at index: Int32) -> String {
        var length = 0
        let pointer = lua_tolstring(S, index, &length)
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    func typeName(_ index: Int32) -> String { String(cString: lua_typename(S, lua_type(S, index))) }

    private func table(at index: Int32, depth: Int) throws(Failure) -> LuaTable {
        guard depth < Self.maxDepth else {
            throw Failure(path: [], reason: "tables nested deeper than \(Self.maxDepth) levels (a cycle?)")
        }
        guard lua_checkstack(S, 4) != 0 else { throw Failure(path: [], reason: "no stack space") }
        let t = lua_absindex(S, index)
        let top = lua_gettop(S)
        defer { lua_settop(S, top) }
        var fields: [String: LuaValue] = [:]
        var integerKeys: [(Int64, LuaValue)] = []
        lua_pushnil(S)
        while lua_next(S, t) != 0 {
            switch lua_type(S, -2) {
            case LUA_TSTRING:
                let key = string(at: -2)
                if fields.isEmpty { fields.reserveCapacity(8) }  // policy-sized tables grow without rehashing
                fields[key] = try element(depth: depth, key: .field(key))
            case LUA_TNUMBER where lua_isinteger(S, -2) != 0:
                let key = lua_tointegerx(S, -2, nil)
                integerKeys.append((key, try element(depth: depth, key: .index(key))))
            case LUA_TNUMBER:
                let key = lua_tonumberx(S, -2, nil)
                guard let integer = Int64(exactly: key) else {
                    throw Failure(path: [], reason: "table key \(key) is not an integer or a string")
                }
                integerKeys.append((integer, try element(depth: depth, key: .index(integer))))
            default:
                throw Failure(path: [], reason: "a table key of type \(typeName(-2)) cannot be passed to the host")
            }
            lua_settop(S, -2)
        }
        integerKeys.sort { $0.0 < $1.0 }
        var array: [LuaValue] = []
        array.reserveCapacity(integerKeys.count)
        for (key, value) in integerKeys {
            if key == Int64(array.count) + 1 {
                array.append(value)
            } else {
                fields[String(key)] = value
            }
        }
        return LuaTable(array: array, fields: fields)
    }

    /// Where a table element sits; spelled out only when an error names it.
    private enum ElementKey {
        case field(String)
        case index(Int64)

        var pathComponent: String {
            switch self {
            case .field(let name): return "." + name
            case .index(let index): return "[\(index)]"
            }
        }
    }

    private func element(depth: Int, key: ElementKey) throws(Failure) -> LuaValue {
        do {
            return try read(-1, depth: depth + 1)
        } catch {
            throw Failure(path: [key.pathComponent] + error.path, reason: error.reason)
        }
    }
}
