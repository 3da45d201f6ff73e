import Notifiers
import App
@testable import API
import Engine
import Foundation
import SQLiteStore
import Domain
import Testing

/// The hand-written encoders on the list path: JSON strings, timestamps and UUIDs.
@Suite("JSON writer, timestamps and UUID text")
struct JSONWriterTests {
    @Test("strings are escaped as JSON and read back unchanged, plain ones copied as they are")
    func escaping() throws {
        let strings = ["plain", "quote \" and \\ backslash", "lines\n\r\ttab", "control \u{01}\u{1f}", "ünïcødé ✓ 𝄞", ""]
        var json = JSONWriter()
        json.array(strings) { json, string in json.value(string) }
        #expect(json.text.contains(#"\u0001"#) && json.text.contains(#"\u001f"#))
        let decoded = try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String]
        #expect(decoded == strings)
    }

    @Test("integers are written as decimal digits, from Int64.min to Int64.max")
    func integers() {
        let values: [Int64] = [0, 7, -7, 10, 99, 100, -100, 65_535, 1 << 53 + 1, .max, .min]
        var json = JSONWriter()
        json.object { json in for (index, value) in values.enumerated() { json.field("k\(index)", value) } }
        let expected = "{" + values.enumerated().map { "\"k\($0.offset)\":\($0.element)" }.joined(separator: ",") + "}"
        #expect(json.text == expected)
    }

    @Test("timestamps: UTC with milliseconds, zero-padded")
    func timestamps() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_772_107_200)) == "2026-02-26T12:00:00.000Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 946_684_800.007)) == "2000-01-01T00:00:00.007Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test("UUIDs: lowercase text round-trips; malformed text is refused")
    func uuids() {
        for _ in 0..<100 {
            let uuid = UUID()
            #expect(uuid.lowercasedString == uuid.uuidString.lowercased())
            #expect(UUID(text: uuid.lowercasedString) == uuid && UUID(text: uuid.uuidString) == uuid)
        }
        for bad in ["", "not-a-uuid", "11111111-1111-4111-8111-11111111111", "11111111-1111-4111-8111-1111111111111",
                    "11111111x1111-4111-8111-111111111111", "g1111111-1111-4111-8111-111111111111"] {
            #expect(UUID(text: bad) == nil, "\(bad)")
        }
    }
}
