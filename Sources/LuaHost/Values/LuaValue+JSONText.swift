import JSONText
/// A `LuaValue` as JSON text, written by hand (a policy's config is stored this way on
/// every create and update). Without `leadingKeys`, the output is what `JSONEncoder` with
/// `.sortedKeys` and `.withoutEscapingSlashes` gives for the value's `Encodable` form: keys sorted, a
/// table with only an array part is an array, other tables are objects (array
/// elements under "1", "2", …), integral floats without ".0". NaN and infinities,
/// which JSON cannot hold, are refused.
extension LuaValue {
    /// `leadingKeys`: the outermost object's keys that come first, in this order (a
    /// stored config reads as its documentation shows it); every other key is sorted.
    public func jsonText(leadingKeys: [String] = []) throws(LuaJSONError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        try Self.write(self, into: &bytes, depth: 0, leadingKeys: leadingKeys)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func write(_ value: LuaValue, into bytes: inout [UInt8], depth: Int, leadingKeys: [String] = []) throws(LuaJSONError) {
        switch value {
        case .nil: bytes.append(contentsOf: "null".utf8)
        case .boolean(let b): bytes.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let i): bytes.append(contentsOf: String(i).utf8)
        case .number(let d):
            guard d.isFinite else { throw LuaJSONError(message: "\(d) has no JSON form", offset: bytes.count) }
            var text = d.description
            if text.hasSuffix(".0") { text.removeLast(2) }
            bytes.append(contentsOf: text.utf8)
        case .string(let s): JSONStringEscaping.appendQuoted(s, to: &bytes)
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
            let rank = { (key: String) in leadingKeys.firstIndex(of: key) ?? leadingKeys.count }
            entries.sort { left, right in
                let (l, r) = (rank(left.key), rank(right.key))
                return l != r ? l < r : left.key.utf8.lexicographicallyPrecedes(right.key.utf8)
            }
            bytes.append(UInt8(ascii: "{"))
            for (index, entry) in entries.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONStringEscaping.appendQuoted(entry.key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                try write(entry.value, into: &bytes, depth: depth + 1)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}
