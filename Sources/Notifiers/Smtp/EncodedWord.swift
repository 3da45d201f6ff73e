import Foundation

/// Unstructured header text (the Subject), as RFC 2047 encoded-words when it is
/// not plain printable ASCII. Callers refuse CR and LF before this point.
enum EncodedWord {
    /// Most UTF-8 bytes per word: `=?utf-8?B?` + 60 base64 characters + `?=` is 72, under the 75 limit.
    static let maxBytesPerWord = 45

    /// The header value: `text` as it is when that is safe, else encoded-words
    /// folded onto continuation lines.
    static func headerText(_ text: String) -> String {
        let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        if plain, !text.contains("=?"), text.utf8.count <= 900 { return text }
        return words(text).joined(separator: "\r\n ")
    }

    /// Whole Unicode scalars per word, so no word splits a character's bytes (RFC 2047, 5).
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > maxBytesPerWord {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(word(chunk)) }
        return words
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?utf-8?B?" + Data(bytes).base64EncodedString() + "?="
    }
}
