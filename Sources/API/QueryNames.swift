import Hummingbird

/// The query parameters a route takes: any other name is a 400 that lists the known ones, so a
/// misspelt filter (`?stat=down`) is an error, not a silently unfiltered answer. An empty value
/// is refused too (`?customerId=` is a client's template gone wrong, not "all customers"),
/// except for the names in `emptyAllowed` (a search for nothing).
enum QueryNames {
    static let paging: Set<String> = ["page", "perPage"]

    static func check(_ request: Request, _ known: Set<String>, emptyAllowed: Set<String> = []) throws {
        for (name, value) in request.uri.queryParameters {
            let key = String(name)
            guard known.contains(key) else {
                let shown = name.count > 64 ? name.prefix(64) + "…" : name
                throw APIError(.badRequest, "unknown query parameter '\(shown)': this route takes \(known.sorted().joined(separator: ", "))")
            }
            if value.isEmpty, !emptyAllowed.contains(key) { throw APIError(.badRequest, "\(key) must not be empty") }
        }
    }
}
