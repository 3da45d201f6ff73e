/// JSON text straight into a `LuaValue`, without Foundation's `JSONDecoder` and
/// `Codable` in between (request bodies and stored configs take this path).
///
/// The value rules are the ones `LuaValue`'s `Decodable` conformance follows:
/// `null` is `.nil` (inside a table the host passes it as `mailmon.null`), a number
/// is an integer when its value is integral and fits 64 bits (`30`, `30.0` and `3e1`
/// alike), otherwise a float; an array is a table's array part, an object its fields.
/// The grammar is strict RFC 8259: no trailing commas, comments, leading zeros, bare
/// words, unpaired surrogates or invalid UTF-8; nesting is limited to `maxJSONDepth`
/// (32: a body travels inside the policy's input table and comes back inside its
/// answer, and values read back from Lua may nest at most 64 levels).
extension LuaValue {
    public static let maxJSONDepth = 32

    public init<Bytes: Collection>(json bytes: Bytes) throws(LuaJSONError) where Bytes.Element == UInt8 {
        let parse: (UnsafeBufferPointer<UInt8>) -> Result<LuaValue, LuaJSONError> = { buffer in
            var parser = JSONTextParser(buffer)
            return Result { () throws(LuaJSONError) -> LuaValue in try parser.document() }
        }
        let result = bytes.withContiguousStorageIfAvailable(parse) ?? Array(bytes).withUnsafeBufferPointer(parse)
        self = try result.get()
    }
}

/// Why a JSON text was refused, with the byte offset where it went wrong.
public struct LuaJSONError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

private struct JSONTextParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func document() throws(LuaJSONError) -> LuaValue {
        let value = try self.value()
        skipSpace()
        guard index == bytes.count else { throw fail("unexpected text after the value") }
        return value
    }

    func fail(_ message: String) -> LuaJSONError { LuaJSONError(message: message, offset: index) }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func value() throws(LuaJSONError) -> LuaValue {
        skipSpace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try word("true"); return .boolean(true)
        case UInt8(ascii: "f"): try word("false"); return .boolean(false)
        case UInt8(ascii: "n"): try word("null"); return .nil
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("unexpected character")
        }
    }

    mutating func word(_ text: StaticString) throws(LuaJSONError) {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count,
            UnsafeBufferPointer(rebasing: bytes[index..<index + count]).elementsEqual(
                UnsafeBufferPointer(start: text.utf8Start, count: count))
        else { throw fail("unexpected character") }
        index += count
    }

    mutating func enter() throws(LuaJSONError) {
        depth += 1
        guard depth <= LuaValue.maxJSONDepth else { throw fail("nested deeper than \(LuaValue.maxJSONDepth) levels") }
    }

    mutating func object() throws(LuaJSONError) -> LuaValue {
        try enter()
        defer { depth -= 1 }
        if closesEmpty(UInt8(ascii: "}")) { return .table(LuaTable()) }
        var fields: [String: LuaValue] = [:]
        fields.reserveCapacity(8)  // a request body's object grows without rehashing
        repeat {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            fields[key] = try value()
        } while try !endOfElement(UInt8(ascii: "}"))
        return .table(LuaTable(fields: fields))
    }

    mutating func array() throws(LuaJSONError) -> LuaValue {
        try enter()
        defer { depth -= 1 }
        var elements: [LuaValue] = []
        if closesEmpty(UInt8(ascii: "]")) {
            var empty = LuaTable()
            empty.wasEmptyJSONArray = true
            return .table(empty)
        }
        repeat {
            elements.append(try value())
        } while try !endOfElement(UInt8(ascii: "]"))
        return .table(LuaTable(array: elements))
    }

    /// Right after the opening bracket: consumes `close` if the container is empty.
    mutating func closesEmpty(_ close: UInt8) -> Bool {
        index += 1
        skipSpace()
        guard index < bytes.count, bytes[index] == close else { return false }
        index += 1
        return true
    }

    /// After an element: consumes a comma (false: another element follows) or `close` (true).
    mutating func endOfElement(_ close: UInt8) throws(LuaJSONError) -> Bool {
        skipSpace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: ","):
            index += 1
            return false
        case close:
            index += 1
            return true
        default:
            throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
        }
    }

    /// A string starting at the opening quote; plain runs are copied in one piece.
    mutating func string() throws(LuaJSONError) -> String {
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = try utf8(start..<index)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw fail("control character in a string") }
            index += 1
        }
        var result = try utf8(start..<index)
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return result
            case UInt8(ascii: "\\"):
                index += 1
                result.unicodeScalars.append(try escape())
            default:
                let runStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") {
                    guard bytes[index] >= 0x20 else { throw fail("control character in a string") }
                    index += 1
                }
                result += try utf8(runStart..<index)
            }
        }
        throw fail("unterminated string")
    }

    func utf8(_ range: Range<Int>) throws(LuaJSONError) -> String {
        guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            throw LuaJSONError(message: "invalid UTF-8 in a string", offset: range.lowerBound)
        }
        return text
    }

    /// The character after a backslash (already consumed).
    mutating func escape() throws(LuaJSONError) -> Unicode.Scalar {
        guard index < bytes.count else { throw fail("unterminated string") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hex4()
            switch unit {
            case 0xD800..<0xDC00:
                guard bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw fail("unpaired surrogate")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
            case 0xDC00..<0xE000:
                throw fail("unpaired surrogate")
            default:
                return Unicode.Scalar(unit)!
            }
        default:
            index -= 1
            throw fail("invalid escape")
        }
    }

    mutating func hex4() throws(LuaJSONError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
    mutating func number() throws(LuaJSONError) -> LuaValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw fail("expected a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw fail("leading zero in a number") }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("expected a digit after '.'") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw fail("expected a digit in the exponent") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral, let integer = Int64(text) { return .integer(integer) }
        guard let double = Double(text), double.isFinite else { throw LuaJSONError(message: "number out of range", offset: start) }
        // Integral values that fit 64 bits are integers, as with JSONDecoder (30.0 and 3e1 are 30).
        if double == double.rounded(.towardZero), double >= -0x1p63, double < 0x1p63 { return .integer(Int64(double)) }
        return .number(double)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
