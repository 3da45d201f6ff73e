import Foundation
import LuaHost
import Testing

/// `LuaValue(json:)`: the request-body parser gives what `JSONDecoder` gave, and refuses what is not JSON.
@Suite("JSON text into LuaValue")
struct JSONTextTests {
    static let documents = [
        #"{"customerId": 1, "name": "Mailbox Access", "hostname": "mail.example.com", "port": null, "status": "active"}"#,
        #"{"imapPopConfig": {"protocol": "imap", "user": "u@example.com", "password": "p \" \\ / \n ü 😀", "tls": true}}"#,
        #"[1, -2, 3.5, -0, 30.0, 3e1, 1E-2, 12345678901234567890, -9223372036854775808, 9223372036854775807]"#,
        #"{"nested": {"a": [[], {}, [null, false, true]], "b": {"c": {"d": "e"}}}, "empty": ""}"#,
        #"  "\u00e9\u0041\ud83d\ude00\t"  "#,
        "\"plain ascii\"", "true", "null", "0", "-1.25e+2",
    ]

    @Test("valid documents parse to the same values as JSONDecoder", arguments: documents)
    func sameAsDecoder(_ text: String) throws {
        let parsed = try LuaValue(json: Array(text.utf8))
        let decoded = try JSONDecoder().decode(LuaValue.self, from: Data(text.utf8))
        #expect(parsed == decoded)
    }

    @Test("numbers: integral values that fit 64 bits are integers, the rest floats")
    func numbers() throws {
        #expect(try LuaValue(json: Array("30".utf8)) == .integer(30))
        #expect(try LuaValue(json: Array("30.0".utf8)) == .integer(30))
        #expect(try LuaValue(json: Array("1.5".utf8)) == .number(1.5))
        #expect(try LuaValue(json: Array("9007199254740993".utf8)) == .integer(9_007_199_254_740_993))
        #expect(try LuaValue(json: Array("12345678901234567890".utf8)) == .number(12_345_678_901_234_567_890))
    }

    @Test("null inside an object is kept as a nil field; an empty array is an empty table")
    func nullAndEmpty() throws {
        let value = try LuaValue(json: Array(#"{"port": null, "codes": []}"#.utf8))
        #expect(value.tableValue?.fields.keys.sorted() == ["codes", "port"])
        #expect(value["port"] == .nil && value["codes"] == .table(LuaTable()))
    }

    static let malformed: [(String, String)] = [
        ("", "unexpected end of input"), ("{", "expected a string key"), (#"{"a" 1}"#, "expected ':'"),
        ("[1,]", "unexpected character"), (#"{"a":1,}"#, "expected a string key"), ("01", "leading zero"),
        ("1.", "expected a digit after '.'"), ("-", "expected a digit"), ("nul", "unexpected character"),
        ("{} {}", "unexpected text after the value"), ("\"tab\tin\"", "control character"), (#""\x""#, "invalid escape"),
        (#""\ud83d""#, "unpaired surrogate"), (#""\ude00""#, "unpaired surrogate"), (#""\u12"#, "truncated"),
        (#"{'a': 1}"#, "expected a string key"), ("1e999", "number out of range"), (#""unterminated"#, "unterminated string"),
    ]

    @Test("malformed JSON is refused with the reason and where", arguments: malformed)
    func refused(_ text: String, _ reason: String) {
        #expect {
            _ = try LuaValue(json: Array(text.utf8))
        } throws: { error in
            String(describing: error).contains(reason) && String(describing: error).contains("at byte")
        }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]
        #expect(throws: LuaJSONError.self) { _ = try LuaValue(json: bytes) }
    }

    @Test("nesting beyond the limit is refused, not a stack overflow")
    func depth() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: LuaJSONError.self) { _ = try LuaValue(json: Array(deep.utf8)) }
        let allowed = LuaValue.maxJSONDepth
        let ok = String(repeating: "[", count: allowed) + String(repeating: "]", count: allowed)
        _ = try LuaValue(json: Array(ok.utf8))
    }

    @Test("a non-contiguous collection of bytes parses too")
    func nonContiguous() throws {
        let bytes = #"{"a": [1, 2]}"#.utf8.lazy.map { $0 }
        #expect(try LuaValue(json: bytes) == ["a": [1, 2]])
    }
}

@Suite("Empty JSON containers")
struct EmptyJSONContainerTests {
    @Test("[] and {} are the same empty table, but [] carries the hint the host's type checks read")
    func emptyArrayHint() throws {
        let value = try LuaValue(json: Array(#"{"a": [], "b": {}, "c": [[]]}"#.utf8))
        #expect(value["a"].tableValue?.wasEmptyJSONArray == true)
        #expect(value["b"].tableValue?.wasEmptyJSONArray == false)
        #expect(value["c"][1].tableValue?.wasEmptyJSONArray == true)
        #expect(value["a"] == value["b"] && value["a"].hashValue == value["b"].hashValue, "equality ignores the hint")
    }
}

/// `LuaValue.jsonText()`: the same text `JSONEncoder` (sorted keys, slashes unescaped) wrote before it.
@Suite("LuaValue as JSON text")
struct JSONOutputTests {
    static let values: [LuaValue] = [
        ["protocol": "imap", "user": "u@example.com", "password": "p \" \\ / \n\t\u{01} ü 😀", "tls": true, "port": 993],
        ["b": 1, "a": 2, "B": 3, "é": 4, "10": 6, "2": 7, "nested": ["x": [1, 2.5, 30.0, -0.0, 1e300, 1e-7], "y": .nil]],
        .table(LuaTable(array: ["a", "b"], fields: ["k": false])), [1, 2, 3], .table(LuaTable()), "plain", 42, 0.1, .nil,
    ]

    @Test("same text as JSONEncoder with sorted keys", arguments: values)
    func sameAsEncoder(_ value: LuaValue) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(try value.jsonText() == String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    @Test("round trip through the parser")
    func roundTrip() throws {
        let value: LuaValue = ["a": [1, 2, ["b": "c"]], "d": 1.5, "e": "ü\u{1f}"]
        #expect(try LuaValue(json: Array(try value.jsonText().utf8)) == value)
    }

    @Test("leading keys come first in the order given, at the outermost level only; the rest stay sorted")
    func leadingKeys() throws {
        let value: LuaValue = ["tls": true, "zeta": 1, "user": "u", "alpha": ["tls": 1, "b": 2], "protocol": "imap"]
        #expect(try value.jsonText(leadingKeys: ["protocol", "user", "password", "tls"])
            == #"{"protocol":"imap","user":"u","tls":true,"alpha":{"b":2,"tls":1},"zeta":1}"#)
    }

    @Test("NaN and infinity have no JSON form")
    func nonFinite() {
        #expect(throws: LuaJSONError.self) { _ = try LuaValue.table(LuaTable(fields: ["x": .number(.nan)])).jsonText() }
        #expect(throws: LuaJSONError.self) { _ = try LuaValue.number(.infinity).jsonText() }
    }
}
