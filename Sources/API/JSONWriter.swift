import Engine
import Foundation

/// Writes JSON objects field by field, in a fixed order (like the reference's
/// examples), with raw fragments for stored JSON such as a monitor's config.
struct JSONWriter {
    private(set) var text = ""
    private var needsComma = false

    mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        text += "{"
        needsComma = false
        body(&self)
        text += "}"
        needsComma = true
    }

    mutating func array<S: Sequence>(_ items: S, _ body: (inout JSONWriter, S.Element) -> Void) {
        separate()
        text += "["
        needsComma = false
        for item in items { body(&self, item) }
        text += "]"
        needsComma = true
    }

    mutating func key(_ name: String) {
        separate()
        append(string: name)
        text += ":"
        needsComma = false
    }

    mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { append(string: value) } else { text += "null" }
        needsComma = true
    }

    mutating func field(_ name: String, _ value: Int?) {
        key(name)
        text += value.map(String.init) ?? "null"
        needsComma = true
    }

    mutating func field(_ name: String, _ value: Int64?) {
        key(name)
        text += value.map(String.init) ?? "null"
        needsComma = true
    }

    mutating func field(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
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
    mutating func field(_ name: String, raw: String) {
        key(name)
        text += raw
        needsComma = true
    }

    mutating func null() {
        separate()
        text += "null"
        needsComma = true
    }

    mutating func value(_ string: String) {
        separate()
        append(string: string)
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { text += "," }
    }

    private mutating func append(string: String) {
        text += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
