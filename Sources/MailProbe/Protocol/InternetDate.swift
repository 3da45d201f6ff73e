public import Foundation

/// Dates as mail servers write them: IMAP's INTERNALDATE (`08-Dec-2026 01:02:03 +0000`, RFC 3501)
/// and a message's `Date:` header (`Tue, 8 Dec 2026 01:02:03 +0000`, RFC 5322, with the obsolete
/// zone names). Pure; nil for anything else.
public enum InternetDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = [
        "UT": 0, "GMT": 0, "Z": 0, "EST": -500, "EDT": -400, "CST": -600, "CDT": -500, "MST": -700, "MDT": -600, "PST": -800, "PDT": -700,
    ]

    /// `dd-Mon-yyyy hh:mm:ss ±zzzz` (the day may be space-padded).
    public static func imap(_ text: String) -> Date? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3 else { return nil }
        let day = parts[0].split(separator: "-")
        guard day.count == 3 else { return nil }
        return date(day: day[0], month: day[1], year: day[2], time: parts[1], zone: parts[2])
    }

    /// `[Day,] d Mon yyyy hh:mm[:ss] zone`, zone `±zzzz` or an obsolete name; comments dropped.
    public static func header(_ text: String) -> Date? {
        var value = text
        if let comment = value.firstIndex(of: "(") { value = String(value[..<comment]) }
        if let comma = value.firstIndex(of: ",") { value = String(value[value.index(after: comma)...]) }
        let parts = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count >= 5 else { return nil }
        return date(day: parts[0], month: parts[1], year: parts[2], time: parts[3], zone: parts[4])
    }

    static func date(day: Substring, month: Substring, year: Substring, time: Substring, zone: Substring) -> Date? {
        guard let d = Int(day.trimmingCharacters(in: .whitespaces)), (1...31).contains(d),
            let m = months.firstIndex(of: month.lowercased()), var y = Int(year)
        else { return nil }
        if y < 100 { y += y < 50 ? 2000 : 1900 }  // RFC 5322 obsolete two-digit years
        let clock = time.split(separator: ":")
        guard clock.count == 2 || clock.count == 3, let h = Int(clock[0]), let mi = Int(clock[1]), (0...23).contains(h), (0...59).contains(mi)
        else { return nil }
        let s = clock.count == 3 ? Int(clock[2]) : 0
        guard let s, (0...60).contains(s) else { return nil }
        let offset: Int
        if let named = zones[zone.uppercased()] {
            offset = named
        } else if zone.count == 5, let sign = zone.first, sign == "+" || sign == "-", let digits = Int(zone.dropFirst()) {
            offset = sign == "-" ? -digits : digits
        } else {
            return nil
        }
        var components = DateComponents()
        components.year = y
        components.month = m + 1
        components.day = d
        components.hour = h
        components.minute = mi
        components.second = s
        components.timeZone = TimeZone(secondsFromGMT: 0)
        guard let utc = Calendar(identifier: .gregorian).date(from: components) else { return nil }
        let minutes = (offset / 100) * 60 + (offset % 100)
        return utc.addingTimeInterval(-Double(minutes) * 60)
    }
}
