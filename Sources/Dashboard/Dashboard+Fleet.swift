import API
import Domain
import Engine
import Foundation
import Hummingbird

struct Option {
    let value: String
    let label: String
    let selected: Bool
}

struct StateCount {
    let state: String
    let count: Int
    let href: String
    let current: Bool
}

struct FleetRow {
    let href: String
    let publicId: String
    let name: String
    let customer: String
    let state: String
    let since: String
    let sinceISO: String
    let lastCheck: String
    let lastCheckISO: String
    let response: String
    let sparkline: String
    let certificate: String?
    let certificateWarning: Bool
    let failure: String?
}

struct Pager {
    let text: String
    let previous: String?
    let next: String?
}

/// The part of the fleet page that refreshes itself: counts, rows, pages.
struct FleetLive {
    let counts: [StateCount]
    let rows: [FleetRow]
    let empty: Bool
    let total: Int
    let pager: Pager?
    let updatedAt: String
}

struct FleetView {
    let chrome: Chrome
    let search: String
    let states: [Option]
    let customers: [Option]
    let canCreate: Bool
    let liveURL: String
    let refreshSeconds: Int
    let live: FleetLive
}

/// The fleet's filters, read from the query (`state`, `customer`, `q`, `page`).
struct FleetFilter {
    var state: MonitorState?
    var customer: String?
    var search: String?
    var page: Int

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        func text(_ name: String) -> String? {
            guard let value = query[Substring(name)].map(String.init)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        if let state = text("state") {
            guard let value = MonitorState(rawValue: state) else {
                throw DomainError.badRequest("state must be one of \(MonitorState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.state = value
        }
        customer = text("customer")
        search = text("q")
        page = max(1, min(text("page").flatMap(Int.init) ?? 1, 100_000))
    }

    func query(state: MonitorState?? = .none, page: Int? = nil) -> String {
        var items: [(String, String)] = []
        let chosen: MonitorState? = state ?? self.state
        if let chosen { items.append(("state", chosen.rawValue)) }
        if let customer { items.append(("customer", customer)) }
        if let search { items.append(("q", search)) }
        let page = page ?? self.page
        if page > 1 { items.append(("page", String(page))) }
        return items.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
    }
}

extension Dashboard {
    static let fleetPageSize = 50

    /// `GET /` (the fleet) and `GET /fleet/live` (its live part, for the page's refresh).
    func addFleet(to router: Router<MailmonRequestContext>) {
        router.get("") { request, _ in
            try await page(request) { me, _ in
                let filter = try FleetFilter(request)
                let live = try await fleetLive(filter, me)
                let customerPage = try await customers.list(search: nil, page: 1, perPage: 500, actor: me.principal)
                let view = FleetView(
                    chrome: me.chrome, search: filter.search ?? "",
                    states: [Option(value: "", label: "any state", selected: filter.state == nil)]
                        + MonitorState.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: filter.state == $0) },
                    customers: [Option(value: "", label: "all customers", selected: filter.customer == nil)]
                        + customerPage.items.map {
                            Option(value: $0.publicId.lowercasedString, label: $0.name, selected: filter.customer == $0.publicId.lowercasedString)
                        },
                    canCreate: try await mayChange(me.principal, customerId: me.principal.customerId),
                    liveURL: "/fleet/live" + (filter.query().isEmpty ? "" : "?" + filter.query()), refreshSeconds: refreshSeconds, live: live)
                return pages.page("fleet", view)
            }
        }
        router.get("fleet/live") { request, _ in
            try await page(request) { me, _ in
                pages.page("fleet_live", try await fleetLive(try FleetFilter(request), me))
            }
        }
    }

    func fleetLive(_ filter: FleetFilter, _ me: SignedIn, now: Date = Date()) async throws -> FleetLive {
        let byState = try await monitors.stateCounts(
            .init(organizationId: nil, customer: filter.customer, search: filter.search, page: 1, perPage: 1), actor: me.principal)
        let counts = MonitorState.allCases.map { state in
            StateCount(
                state: state.rawValue, count: byState[state] ?? 0, href: "/?" + filter.query(state: .some(state), page: 1),
                current: filter.state == state)
        }
        let found = try await monitors.list(
            .init(organizationId: nil, customer: filter.customer, search: filter.search, page: filter.page, perPage: Self.fleetPageSize,
                  state: filter.state, sortByState: true),
            actor: me.principal)
        let recent = try await history.recentChecks(of: found.items.map(\.0), limit: 20)
        let rows = found.items.map { monitor, customerName in
            let checks = recent[monitor.id] ?? []
            let points = checks.reversed().map { ResponseChart.Point(milliseconds: ViewFormat.totalMilliseconds($0.result.timings), ok: $0.result.ok) }
            let notAfter = checks.first?.result.certificateNotAfter
            let days = ViewFormat.daysLeft(notAfter, now: now)
            let state = monitor.state
            return FleetRow(
                href: "/monitors/\(monitor.publicId.lowercasedString)", publicId: monitor.publicId.lowercasedString, name: monitor.fields.name,
                customer: customerName, state: state.rawValue, since: ViewFormat.ago(monitor.stateSince, now: now),
                sinceISO: ViewFormat.iso(monitor.stateSince), lastCheck: ViewFormat.ago(monitor.lastCheckedAt, now: now),
                lastCheckISO: ViewFormat.iso(monitor.lastCheckedAt), response: ViewFormat.milliseconds(monitor.health.lastResponseMilliseconds),
                sparkline: ResponseChart.sparkline(points, label: "response times of the last \(points.count) checks"),
                certificate: days.map { "\($0) d" }, certificateWarning: (days ?? 999) < 14,
                failure: ViewFormat.failure(monitor))
        }
        let pages = max(1, (found.total + Self.fleetPageSize - 1) / Self.fleetPageSize)
        let pager = pages > 1
            ? Pager(
                text: "page \(filter.page) of \(pages)", previous: filter.page > 1 ? "/?" + filter.query(page: filter.page - 1) : nil,
                next: filter.page < pages ? "/?" + filter.query(page: filter.page + 1) : nil)
            : nil
        return FleetLive(counts: counts, rows: rows, empty: rows.isEmpty, total: found.total, pager: pager, updatedAt: ViewFormat.clock(now))
    }

    /// Whether the principal may change monitors of the customer (nil: the organization's) — asked of
    /// `policies/access` as `trigger_check`, the action every change to a monitor's state needs.
    func mayChange(_ principal: Principal, organizationId: Int64? = nil, customerId: Int64?) async throws -> Bool {
        try await access.allows(.triggerCheck, actor: principal, organizationId: organizationId ?? principal.organizationId, customerId: customerId)
    }
}
