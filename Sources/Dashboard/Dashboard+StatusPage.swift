import API
import Crypto
import Domain
import Engine
import Foundation
import Hummingbird
import HTTPTypes

struct StatusEntryView {
    let name: String
    let hostname: String?
    let state: String
    let stateLabel: String
    let bars: String
    let uptime: String
}

struct StatusIncidentView {
    let monitorName: String
    let message: String
    let since: String
    let sinceISO: String
}

struct StatusPageView {
    let customerName: String
    let overall: String
    let overallLabel: String
    let monitors: [StatusEntryView]
    let empty: Bool
    let incidents: [StatusIncidentView]
    let hasIncidents: Bool
    let generatedAt: String
    let days: Int
}

/// Rendered status pages by slug, kept while their fingerprint holds.
actor StatusPageHTML {
    private var pages: [String: (fingerprint: String, html: String, etag: String)] = [:]

    func cached(_ slug: String, fingerprint: String) -> (html: String, etag: String)? {
        guard let page = pages[slug], page.fingerprint == fingerprint else { return nil }
        return (page.html, page.etag)
    }

    func keep(_ slug: String, fingerprint: String, html: String, etag: String) {
        if pages.count > 1_000 { pages = [:] }
        pages[slug] = (fingerprint, html, etag)
    }
}

extension Dashboard {
    /// `GET /status/:slug`: a customer's public status page, no sign-in; 404 for a slug no customer has.
    func addStatusPages(to router: Router<MailmonRequestContext>) {
        router.get("status/:slug") { request, context in try await statusPage(request, context) }
        // Uptime checkers often probe with HEAD: the same answer without its body.
        router.head("status/:slug") { request, context in
            let response = try await statusPage(request, context)
            return Response(status: response.status, headers: response.headers)
        }
    }

    func statusPage(_ request: Request, _ context: MailmonRequestContext) async throws -> Response {
        let slug = try context.parameters.require("slug")
        guard let page = try await statusPages.page(slug: slug) else {
            return problem(nil, .notFound, "No such status page", "There is no status page at this address.")
        }
        let html: String
        let etag: String
        if let cached = await statusHTML.cached(slug, fingerprint: page.fingerprint) {
            (html, etag) = cached
        } else {
            html = pages.render("status", Self.statusView(page))
            etag = "\"" + SHA256.hash(data: Data(page.fingerprint.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
            await statusHTML.keep(slug, fingerprint: page.fingerprint, html: html, etag: etag)
        }
        var headers = PageRenderer.securityHeaders
        headers[.cacheControl] = "public, max-age=30"
        headers[.eTag] = etag
        if request.headers[.ifNoneMatch] == etag { return Response(status: .notModified, headers: headers) }
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func statusView(_ page: StatusPage, now: Date = Date()) -> StatusPageView {
        let labels = [
            "operational": "All mailboxes operational", "warning": "Operational, with warnings", "degraded": "Some mailboxes have problems",
            "maintenance": "Maintenance",
        ]
        let stateLabels = [
            "up": "Operational", "down": "Down", "degraded": "Degraded", "unknown": "Not checked yet", "maintenance": "Maintenance",
            "disabled": "Paused",
        ]
        return StatusPageView(
            customerName: page.customerName, overall: page.overall, overallLabel: labels[page.overall] ?? page.overall,
            monitors: page.monitors.map { entry in
                let days = entry.days.map { (start: $0.start, checks: $0.checks, ok: $0.ok) }
                return StatusEntryView(
                    name: entry.name, hostname: entry.hostname, state: entry.state.rawValue,
                    stateLabel: stateLabels[entry.state.rawValue] ?? entry.state.rawValue,
                    bars: UptimeBars.svg(days, label: "daily uptime of \(entry.name) over \(days.count) days"),
                    uptime: UptimeBars.percent(days).map { String(format: "%.2f %%", $0) } ?? "—")
            },
            empty: page.monitors.isEmpty,
            incidents: page.incidents.map {
                StatusIncidentView(
                    monitorName: $0.monitorName, message: $0.publicMessage, since: ViewFormat.clock($0.startedAt), sinceISO: ViewFormat.iso($0.startedAt))
            },
            hasIncidents: !page.incidents.isEmpty, generatedAt: ViewFormat.clock(page.generatedAt), days: StatusPageService.days)
    }
}
