import CLua
import Foundation

/// Encodes an `Encodable` straight into a `ValueProgram`, without a `LuaValue`
/// tree in between. The same rules as `LuaValueEncoder`.
///
/// The program is a stack machine: a table's field is complete once its key,
/// its value and a `rawset` are written. Containers therefore have to be used
/// in nesting order, which synthesized `Codable` always does. When a container
/// is used after its parent moved on (possible with `nestedContainer` in
/// hand-written code) or `superEncoder` is asked for, encoding throws
/// `OutOfOrder` and the caller encodes through the tree instead.
final class LuaProgramEncoder {
    struct OutOfOrder: Error {}

    /// What finishes a value once it is complete: nothing at the top, a `rawset` or a `rawseti`.
    enum Completion {
        case none
        case field
        case element(Int64)
    }

    /// An open table: its `TABLE` op (for size hints), its completion, and how many entries it got.
    final class Frame {
        let op: Int
        let completion: Completion
        /// Its place in `open` while it is open.
        let depth: Int
        var fields = 0
        var elements: Int64 = 0

        init(op: Int, completion: Completion, depth: Int) {
            self.op = op
            self.completion = completion
            self.depth = depth
        }
    }

    let program: ValueProgram
    private var open: [Frame] = []
    private var outOfOrder = false

    init(program: ValueProgram) { self.program = program }

    /// Appends `value` as one top-level value of the program.
    func encode<T: Encodable>(_ value: T) throws {
        let position = Position(encoder: self, codingPath: [], completion: .none)
        try position.encodeValue(value)
        try position.complete()
        try close(downTo: 0)
        if outOfOrder { throw OutOfOrder() }
    }

    /// Closes every frame above `depth`, writing each one's completion.
    func close(downTo depth: Int) throws {
        while open.count > depth {
            let frame = open.removeLast()
            program.patchTable(at: frame.op, arraySize: Int(frame.elements), fieldCount: frame.fields)
            emitCompletion(frame.completion)
        }
    }

    func emitCompletion(_ completion: Completion) {
        switch completion {
        case .none: break
        case .field: program.emitRawSet()
        case .element(let index): program.emitRawSetI(index)
        }
    }

    /// Makes `frame` the innermost open table, closing its finished children.
    func activate(_ frame: Frame) throws {
        // Frames leave `open` only from its end: one still open sits at its depth.
        guard frame.depth < open.count, open[frame.depth] === frame else { throw OutOfOrder() }
        if frame.depth + 1 < open.count { try close(downTo: frame.depth + 1) }  // usually it is the innermost already
    }

    func openTable(completion: Completion) -> Frame {
        let frame = Frame(op: program.emitTable(), completion: completion, depth: open.count)
        open.append(frame)
        return frame
    }
}

extension LuaProgramEncoder {
    /// The place one value goes: the top level, a field, or an array element.
    final class Position: Encoder {
        let encoder: LuaProgramEncoder  // no cycle: the encoder never holds positions
        let program: ValueProgram
        let codingPath: [any CodingKey]
        let completion: Completion
        var userInfo: [CodingUserInfoKey: Any] { [:] }
        private var frame: Frame?
        private var emitted = false

        init(encoder: LuaProgramEncoder, codingPath: [any CodingKey], completion: Completion) {
            self.encoder = encoder
            self.program = encoder.program
            self.codingPath = codingPath
            self.completion = completion
        }

        func encodeValue<T: Encodable>(_ value: T) throws {
            switch value {
            case let v as LuaValue: primitive { program.append(v, inTable: !isTopLevel) }
            case let d as Date: primitive { program.emitNumber(d.timeIntervalSince1970) }
            case let u as URL: primitive { program.appendString(u.absoluteString) }
            case let d as Data: primitive { program.appendString(d.base64EncodedString()) }
            default: try value.encode(to: self)
            }
        }

        var isTopLevel: Bool { if case .none = completion { return true } else { return false } }

        /// Writes a single value; its completion follows at once.
        func primitive(_ write: () -> Void) {
            precondition(!emitted, "a value was encoded twice in one place")
            emitted = true
            write()
        }

        func nilValue() { primitive { program.append(.nil, inTable: !isTopLevel) } }

        /// Finishes this position: an untouched one becomes an empty table (as JSON gives `{}`).
        func complete() throws {
            if !emitted {
                emitted = true
                frame = encoder.openTable(completion: completion)
            }
            if frame == nil {
                encoder.emitCompletion(completion)
            }
        }

        func table() -> Frame {
            if let frame { return frame }
            precondition(!emitted, "a container was asked for after a single value was encoded")
            emitted = true
            let frame = encoder.openTable(completion: completion)
            self.frame = frame
            return frame
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            KeyedEncodingContainer(Keyed<Key>(position: self, frame: table()))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(position: self, frame: table()) }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(position: self) }
    }

    private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let position: Position
        let frame: Frame
        let encoder: LuaProgramEncoder
        let program: ValueProgram
        var codingPath: [any CodingKey] { position.codingPath }

        init(position: Position, frame: Frame) {
            self.position = position
            self.frame = frame
            self.encoder = position.encoder
            self.program = position.program
        }

        /// Starts field `key`; the caller writes its value, then its completion (`emitRawSet`).
        func begin(_ key: Key) throws {
            try encoder.activate(frame)
            frame.fields += 1
            program.appendString(key.stringValue)
        }

        // Primitives are written out without a closure: this is the hot path of every call.
        mutating func encodeNil(forKey key: Key) throws {
            try begin(key)
            program.append(.nil, inTable: true)
            program.emitRawSet()
        }
        mutating func encode(_ value: Bool, forKey key: Key) throws {
            try begin(key)
            program.emitBool(value)
            program.emitRawSet()
        }
        mutating func encode(_ value: String, forKey key: Key) throws {
            try begin(key)
            program.appendString(value)
            program.emitRawSet()
        }
        mutating func encode(_ value: Double, forKey key: Key) throws {
            try begin(key)
            program.emitNumber(value)
            program.emitRawSet()
        }
        mutating func encode(_ value: Float, forKey key: Key) throws { try encode(Double(value), forKey: key) }
        mutating func encode(_ value: Int, forKey key: Key) throws { try encode(Int64(value), forKey: key) }
        mutating func encode(_ value: Int32, forKey key: Key) throws { try encode(Int64(value), forKey: key) }
        mutating func encode(_ value: Int64, forKey key: Key) throws {
            try begin(key)
            program.emitInteger(value)
            program.emitRawSet()
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try begin(key)
            let child = Position(encoder: encoder, codingPath: codingPath + [key], completion: .field)
            try child.encodeValue(value)
            try child.complete()
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
            -> KeyedEncodingContainer<NestedKey>
        {
            nested(key).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            nested(key).unkeyedContainer()
        }

        /// A child table left open: it is closed when this container is used again.
        private func nested(_ key: Key) -> Position {
            let child = Position(encoder: encoder, codingPath: codingPath + [key], completion: .field)
            do {
                try begin(key)
            } catch {
                encoder.markOutOfOrder()
            }
            return child
        }

        mutating func superEncoder() -> any Encoder {
            encoder.markOutOfOrder()
            return Position(encoder: encoder, codingPath: codingPath + [AnyKey("super")], completion: .field)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            encoder.markOutOfOrder()
            return Position(encoder: encoder, codingPath: codingPath + [key], completion: .field)
        }
    }

    private struct Unkeyed: UnkeyedEncodingContainer {
        let position: Position
        let frame: Frame
        let encoder: LuaProgramEncoder
        let program: ValueProgram
        var codingPath: [any CodingKey] { position.codingPath }
        var count: Int { Int(frame.elements) }

        init(position: Position, frame: Frame) {
            self.position = position
            self.frame = frame
            self.encoder = position.encoder
            self.program = position.program
        }

        func begin() throws -> Int64 {
            try encoder.activate(frame)
            frame.elements += 1
            return frame.elements
        }

        func put(_ write: () -> Void) throws {
            let index = try begin()
            write()
            program.emitRawSetI(index)
        }

        mutating func encodeNil() throws { try put { program.append(.nil, inTable: true) } }
        mutating func encode(_ value: Bool) throws { try put { program.emitBool(value) } }
        mutating func encode(_ value: String) throws { try put { program.appendString(value) } }
        mutating func encode(_ value: Double) throws { try put { program.emitNumber(value) } }
        mutating func encode(_ value: Int) throws { try put { program.emitInteger(Int64(value)) } }
        mutating func encode(_ value: Int64) throws { try put { program.emitInteger(value) } }

        mutating func encode<T: Encodable>(_ value: T) throws {
            let index = try begin()
            let child = Position(encoder: encoder, codingPath: codingPath + [AnyKey(intValue: Int(index))], completion: .element(index))
            try child.encodeValue(value)
            try child.complete()
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
            -> KeyedEncodingContainer<NestedKey>
        {
            nested().container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { nested().unkeyedContainer() }

        private func nested() -> Position {
            guard let index = try? begin() else {
                encoder.markOutOfOrder()
                return Position(encoder: encoder, codingPath: codingPath, completion: .element(frame.elements))
            }
            return Position(encoder: encoder, codingPath: codingPath + [AnyKey(intValue: Int(index))], completion: .element(index))
        }

        mutating func superEncoder() -> any Encoder {
            encoder.markOutOfOrder()
            return Position(encoder: encoder, codingPath: codingPath, completion: .element(frame.elements))
        }
    }

    private struct Single: SingleValueEncodingContainer {
        let position: Position
        var codingPath: [any CodingKey] { position.codingPath }
        var program: ValueProgram { position.program }

        mutating func encodeNil() throws { position.nilValue() }
        mutating func encode(_ value: Bool) throws { position.primitive { program.emitBool(value) } }
        mutating func encode(_ value: String) throws { position.primitive { program.appendString(value) } }
        mutating func encode(_ value: Double) throws { position.primitive { program.emitNumber(value) } }
        mutating func encode(_ value: Float) throws { position.primitive { program.emitNumber(Double(value)) } }
        mutating func encode(_ value: Int) throws { position.primitive { program.emitInteger(Int64(value)) } }
        mutating func encode(_ value: Int8) throws { position.primitive { program.emitInteger(Int64(value)) } }
        mutating func encode(_ value: Int16) throws { position.primitive { program.emitInteger(Int64(value)) } }
        mutating func encode(_ value: Int32) throws { position.primitive { program.emitInteger(Int64(value)) } }
        mutating func encode(_ value: Int64) throws { position.primitive { program.emitInteger(value) } }
        mutating func encode(_ value: UInt8) throws { position.primitive { program.emitInteger(Int64(value)) } }
        mutating func encode(_ value: UInt16) throws { position.primitive { program.emitInteger(Int64(value)) } }
        mutating func encode(_ value: UInt32) throws { position.primitive { program.emitInteger(Int64(value)) } }
        mutating func encode(_ value: UInt) throws { try encode(UInt64(value)) }
        mutating func encode(_ value: UInt64) throws {
            guard let i = Int64(exactly: value) else {
                throw EncodingError.invalidValue(
                    value, .init(codingPath: codingPath, debugDescription: "\(value) does not fit a Lua integer"))
            }
            position.primitive { program.emitInteger(i) }
        }
        mutating func encode<T: Encodable>(_ value: T) throws { try position.encodeValue(value) }
    }
}

extension LuaProgramEncoder {
    /// Recorded when the order cannot be kept; `encode` then throws `OutOfOrder` at the end.
    func markOutOfOrder() { outOfOrder = true }
}
