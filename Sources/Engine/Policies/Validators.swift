import Foundation
import Domain

/// The checks behind `mailmon.validate.*`: pure functions, also used by Swift.
public enum Validators {
    /// A hostname only: RFC 1123 labels, or an IPv4/IPv6 literal (IPv6 optionally in brackets).
    /// No scheme, path, port, spaces. Returns nil when valid, else the reason.
    public static func hostnameProblem(_ text: String) -> String? {
        let utf8 = text.utf8
        return utf8.withContiguousStorageIfAvailable { hostnameProblem(text, bytes: $0) }
            ?? Array(utf8).withUnsafeBufferPointer { hostnameProblem(text, bytes: $0) }
    }

    /// One pass over the bytes for what must not appear anywhere, a second over the
    /// labels (this runs in every create and update policy).
    private static func hostnameProblem(_ text: String, bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if bytes.isEmpty { return "hostname is empty" }
        if bytes.count > 253 { return "hostname is longer than 253 characters" }
        var scheme = false, slash = false, space = false, colon = false, dotsAndDigits = true
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "/"):
                slash = true
                if index >= 1, bytes[index - 1] == UInt8(ascii: ":"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "/") {
                    scheme = true
                }
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): space = true
            case UInt8(ascii: ":"): colon = true
            case UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"): break
            default: dotsAndDigits = false
            }
        }
        if scheme { return "hostname must not contain a scheme (like imaps://)" }
        if slash { return "hostname must not contain a path" }
        if space { return "hostname must not contain spaces" }
        if dotsAndDigits, isIPv4(text) { return nil }
        if colon {
            if isIPv6(text) { return nil }
            if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]"), isIPv6(String(text.dropFirst().dropLast())) {
                return nil
            }
            return "hostname must not contain a port"
        }
        // Labels of the name without its optional trailing dot.
        let end = bytes.last == UInt8(ascii: ".") ? bytes.count - 1 : bytes.count
        var labelStart = 0
        var labelIsNumeric = true
        for index in 0...end {
            guard index < end, bytes[index] != UInt8(ascii: ".") else {
                let length = index - labelStart
                guard length > 0, length <= 63 else { return "hostname has an empty or too long label" }
                if bytes[labelStart] == UInt8(ascii: "-") || bytes[index - 1] == UInt8(ascii: "-") {
                    return "a hostname label may not start or end with a hyphen"
                }
                if index == end, labelIsNumeric { return "hostname is not a valid IPv4 address" }
                labelStart = index + 1
                labelIsNumeric = true
                continue
            }
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { continue }
            labelIsNumeric = false
            guard isAlnum(byte) || byte == UInt8(ascii: "-") else {
                return "hostname may contain only letters, digits, hyphens and dots"
            }
        }
        return nil
    }

    public static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    public static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }

    public static func isUUID(_ text: String) -> Bool { UUID(text: text) != nil }

    /// Why `text` is not a usable regular expression (ICU syntax, at most 200 characters), or nil.
    public static func regexProblem(_ text: String) -> String? {
        guard !text.isEmpty, text.count <= 200 else { return "a pattern is 1-200 characters" }
        do {
            _ = try NSRegularExpression(pattern: text)
            return nil
        } catch {
            return "not a regular expression: \(text)"
        }
    }

    /// Whether the text holds a control character (NUL, line breaks, escapes, DEL, C1).
    public static func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// A pragmatic address check: one @, a non-empty local part, a hostname with a dot.
    public static func isEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64, text.utf8.count <= 254,
            !text.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\t") })
        else { return false }
        return parts[1].utf8.contains(UInt8(ascii: ".")) && hostnameProblem(String(parts[1])) == nil
    }

    /// E.164: +, then 8 to 15 digits (spaces, dashes, dots, parentheses allowed as separators).
    public static func isPhone(_ text: String) -> Bool {
        guard text.hasPrefix("+") else { return false }
        var digits = 0
        for character in text.dropFirst() {
            if character.isASCII, character.isNumber { digits += 1 } else if !" -.()".contains(character) { return false }
        }
        return (8...15).contains(digits)
    }

    public static func isCountryCode(_ text: String) -> Bool { countryCodes.contains(text.uppercased()) }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }

    /// ISO 3166-1 alpha-2, officially assigned codes.
    static let countryCodes: Set<String> = Set(
        """
        AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
        CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO \
        FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE \
        JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO \
        MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW \
        PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM \
        TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
        """.split(separator: " ").map(String.init))
}
