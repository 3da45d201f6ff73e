import Foundation

/// An `application/x-www-form-urlencoded` body: the fields of a submitted form (the last value of a repeated name wins).
struct FormBody: Sendable {
    static let maxBytes = 64 * 1024
    var fields: [String: String]

    init(fields: [String: String]) {
        self.fields = fields
    }

    init(encoded text: String) {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard !name.isEmpty else { continue }
            fields[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
        self.fields = fields
    }

    subscript(_ name: String) -> String? { fields[name] }

    /// The field trimmed, nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// A checkbox: present and not "off".
    func flag(_ name: String) -> Bool {
        guard let value = fields[name] else { return false }
        return value != "off" && value != "false"
    }

    static func decode(_ part: Substring) -> String {
        let spaced = part.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
