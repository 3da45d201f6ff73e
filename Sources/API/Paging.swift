import Hummingbird

/// `page` and `perPage` from the query: page ≥ 1 (default 1), perPage 1–200 (default 50).
struct Paging {
    var page: Int
    var perPage: Int

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        page = try Self.integer(query["page"].map(String.init), name: "page", default: 1, range: 1...1_000_000)
        perPage = try Self.integer(query["perPage"].map(String.init), name: "perPage", default: 50, range: 1...200)
    }

    static func integer(_ text: String?, name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text, !text.isEmpty else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            throw APIError(.badRequest, "\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
