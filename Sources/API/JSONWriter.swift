import Domain
import Engine
import JSONText
import Foundation

/// Writes JSON objects field by field, in a fixed order (like the reference's
/// examples), with raw fragments for stored JSON such as a monitor's config.
struct JSONWriter {
    /// UTF-8 of the document so far.
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init() { bytes.reserveCapacity(1024) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func array<S: Sequence>(_ items: S, _ body: (inout JSONWriter, S.Element) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        for item in items { body(&self, item) }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func key(_ name: String) {
        separate()
        append(string: name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { append(string: value) } else { raw("null") }
        needsComma = true
    }

    mutating func field(_ name: String, _ value: Int?) {
        field(name, value.map(Int64.init))
    }

    mutating func field(_ name: String, _ value: Int64?) {
        key(name)
        if let value { append(integer: value) } else { raw("null") }
        needsComma = true
    }

    mutating func field(_ name: String, _ value: Bool) {
        key(name)
        raw(value ? "true" : "false")
        needsComma = true
    }

    mutating func field(_ name: String, _ value: Date?) {
        field(name, value.map(Timestamp.format))
    }

    mutating func field(_ name: String, strings: [String]) {
        key(name)
        array(strings) { json, string in json.value(string) }
    }

    /// Already-serialized JSON.
    mutating func field(_ name: String, raw fragment: String) {
        key(name)
        raw(fragment)
        needsComma = true
    }

    mutating func null() {
        separate()
        raw("null")
        needsComma = true
    }

    mutating func value(_ string: String) {
        separate()
        append(string: string)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func raw(_ fragment: String) {
        bytes.append(contentsOf: fragment.utf8)
    }

    /// Decimal digits without a String in between.
    private mutating func append(integer value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var end = buffer.count
            repeat {
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: buffer[end...])
        }
    }

    private mutating func append(string: String) {
        JSONStringEscaping.appendQuoted(string, to: &bytes)
    }
}
