import Domain
public import Foundation

/// `GET …/details?range=day|week|month|year&date=&startDate=&endDate=&granularity=raw`.
public struct DetailsQuery: Sendable, Hashable {
    public enum Range: String, Sendable, CaseIterable {
        case day, week, month, year

        var seconds: TimeInterval {
            switch self {
            case .day: 86_400
            case .week: 7 * 86_400
            case .month: 30 * 86_400
            case .year: 365 * 86_400
            }
        }

        /// Aggregation bucket: 15 minutes for a day, an hour for a week, 6 hours for a month, a day for a year.
        var bucketSeconds: Int {
            switch self {
            case .day: 900
            case .week: 3600
            case .month: 21_600
            case .year: 86_400
            }
        }
    }

    public var range: Range
    public var from: Date
    public var to: Date
    public var raw: Bool

    /// Parses the query values; errors are 400s naming the parameter.
    public init(range: String?, date: String?, startDate: String?, endDate: String?, granularity: String?, now: Date) throws {
        let rangeText = range ?? "day"
        guard let parsed = Range(rawValue: rangeText) else { throw DomainError.badRequest("range must be day, week, month or year") }
        self.range = parsed
        func time(_ name: String, _ text: String?) throws -> Date? {
            guard let text, !text.isEmpty else { return nil }
            if let date = Timestamp.parse(text) { return date }
            if let day = Timestamp.parse(text + "T00:00:00Z") { return day }
            throw DomainError.badRequest("\(name) must be an ISO-8601 date or timestamp")
        }
        let start = try time("startDate", startDate)
        let end = try time("endDate", endDate)
        let anchor = try time("date", date)
        switch (start, end) {
        case let (start?, end?):
            guard start < end else { throw DomainError.badRequest("startDate must be before endDate") }
            (from, to) = (start, end)
        case let (start?, nil):
            (from, to) = (start, start.addingTimeInterval(parsed.seconds))
        case let (nil, end?):
            (from, to) = (end.addingTimeInterval(-parsed.seconds), end)
        case (nil, nil):
            let end = anchor.map { $0.addingTimeInterval(86_400) } ?? now
            (from, to) = (end.addingTimeInterval(-parsed.seconds), end)
        }
        switch granularity {
        case nil, "", "auto": raw = false
        case "raw": raw = true
        default: throw DomainError.badRequest("granularity must be raw or omitted")
        }
    }
}
