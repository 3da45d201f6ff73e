import CLua
import Glibc

/// Lua values written as a program for CLua's `mm_build`, in memory that stays put
/// until the next `reset()`, so the C trampoline can run it after Swift has returned.
///
/// This is how Swift puts values into Lua without calling a raising Lua API
/// function from a Swift frame (docs/lua.md, "No longjmp through Swift").
final class ValueProgram {
    private(set) var ops: UnsafeMutablePointer<mm_op>
    private var opCapacity: Int
    private(set) var opCount = 0
    private(set) var bytes: UnsafeMutablePointer<CChar>
    private var byteCapacity: Int
    private var byteCount = 0

    init() {
        opCapacity = 64
        ops = malloc(opCapacity * MemoryLayout<mm_op>.stride)!.assumingMemoryBound(to: mm_op.self)
        byteCapacity = 1024
        bytes = malloc(byteCapacity)!.assumingMemoryBound(to: CChar.self)
    }

    deinit {
        free(ops)
        free(bytes)
    }

    func reset() {
        opCount = 0
        byteCount = 0
    }

    /// Points the context at this program.
    func install(in context: UnsafeMutablePointer<mm_context>) {
        context.pointee.ops = UnsafePointer(ops)
        context.pointee.op_count = Int64(opCount)
        context.pointee.bytes = UnsafePointer(bytes)
    }

    private func emit(_ op: Int32, i: Int64 = 0, n: Double = 0, len: UInt32 = 0) {
        if opCount == opCapacity {
            opCapacity *= 2
            ops = realloc(ops, opCapacity * MemoryLayout<mm_op>.stride)!.assumingMemoryBound(to: mm_op.self)
        }
        ops[opCount] = mm_op(i: i, n: n, len: len, op: op)
        opCount += 1
    }

    func appendString(_ string: String) {
        var s = string
        s.withUTF8 { utf8 in
            let needed = byteCount + utf8.count
            if needed > byteCapacity {
                while byteCapacity < needed { byteCapacity *= 2 }
                bytes = realloc(bytes, byteCapacity)!.assumingMemoryBound(to: CChar.self)
            }
            if let base = utf8.baseAddress {
                UnsafeMutableRawPointer(bytes + byteCount).copyMemory(from: base, byteCount: utf8.count)
            }
            emit(Int32(MM_OP_STR), i: Int64(byteCount), len: UInt32(utf8.count))
            byteCount = needed
        }
    }

    func emitBool(_ value: Bool) { emit(Int32(MM_OP_BOOL), i: value ? 1 : 0) }
    func emitInteger(_ value: Int64) { emit(Int32(MM_OP_INT), i: value) }
    func emitNumber(_ value: Double) { emit(Int32(MM_OP_NUM), n: value) }
    func emitRawSet() { emit(Int32(MM_OP_RAWSET)) }
    func emitRawSetI(_ index: Int64) { emit(Int32(MM_OP_RAWSETI), i: index) }

    /// A new table; returns its op's position so the sizes can be patched in when known.
    func emitTable() -> Int {
        emit(Int32(MM_OP_TABLE))
        return opCount - 1
    }

    func patchTable(at position: Int, arraySize: Int, fieldCount: Int) {
        ops[position].len = UInt32(clamping: arraySize)
        ops[position].i = Int64(fieldCount)
    }

    /// Appends one value; `.nil` becomes nil at the top level and the null sentinel inside tables.
    func append(_ value: LuaValue, inTable: Bool = false) {
        switch value {
        case .nil: emit(Int32(inTable ? MM_OP_NULL : MM_OP_NIL))
        case .boolean(let b): emit(Int32(MM_OP_BOOL), i: b ? 1 : 0)
        case .integer(let i): emit(Int32(MM_OP_INT), i: i)
        case .number(let d): emit(Int32(MM_OP_NUM), n: d)
        case .string(let s): appendString(s)
        case .table(let t):
            emit(Int32(MM_OP_TABLE), i: Int64(t.fields.count), len: UInt32(clamping: t.array.count))
            for (index, element) in t.array.enumerated() {
                append(element, inTable: true)
                emit(Int32(MM_OP_RAWSETI), i: Int64(index + 1))
            }
            for (key, element) in t.fields {
                appendString(key)
                append(element, inTable: true)
                emit(Int32(MM_OP_RAWSET))
            }
        }
    }
}
