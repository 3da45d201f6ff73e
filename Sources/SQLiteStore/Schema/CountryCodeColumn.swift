public import Domain
/// `allowedCheckCountryCodes` columns hold a JSON array of two-letter codes;
/// written and read by hand (they are on every list row).
enum CountryCodeColumn {
    static func encode(_ codes: [String]) -> String {
        "[" + codes.map { "\"\($0)\"" }.joined(separator: ",") + "]"
    }

    static func decode(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "[" || $0 == "]" || $0 == "," || $0 == "\"" || $0 == " " }).map(String.init)
    }
}
