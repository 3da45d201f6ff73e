/// A `LuaValue` as JSON text, written by hand (a policy's config is stored this way on
/// every create and update). The output is what `JSONEncoder` with `.sortedKeys` and
/// `.withoutEscapingSlashes` gives for the value's `Encodable` form: keys sorted, a
/// table with only an array part is an array, other tables are objects (array
/// elements under "1", "2", …), integral floats without ".0". NaN and infinities,
/// which JSON cannot hold, are refused.
extension LuaValue {
    public func jsonText() throws(LuaJSONError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        try Self.write(self, into: &bytes, depth: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func write(_ value: LuaValue, into bytes: inout [UInt8], depth: Int) throws(LuaJSONError) {
        switch value {
        case .nil: bytes.append(contentsOf: "null".utf8)
        case .boolean(let b): bytes.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): bytes.append(contentsOf: String(i).utf8)
        case .number(let d):
            guard d.isFinite else { throw LuaJSONError(message: "\(d) has no JSON form", offset: bytes.count) }
            var text = d.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            bytes.append(contentsOf: text.utf8)
        case .string(let s): writeString(s, into: &bytes)
        case .table(let table):
            guard depth < maxJSONDepth else { throw LuaJSONError(message: "nested deeper than \(maxJSONDepth) levels", offset: bytes.count) }
            if table.fields.isEmpty && !table.array.isEmpty {
                bytes.append(UInt8(ascii: "["))
                for (index, element) in table.array.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    try write(element, into: &bytes, depth: depth + 1)
                }
                bytes.append(UInt8(ascii: "]"))
                return
            }
            var entries = table.fields.map { (key: $0.key, value: $0.value) }
            for (index, element) in table.array.enumerated() { entries.append((key: String(index + 1), value: element)) }
            entries.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            bytes.append(UInt8(ascii: "{"))
            for (index, entry) in entries.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(entry.key, into: &bytes)
                bytes.append(UInt8(ascii: ":"))
                try write(entry.value, into: &bytes, depth: depth + 1)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ string: String, into bytes: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case UInt8(ascii: "\n"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xf)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
