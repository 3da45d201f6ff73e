import API
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// The templates (compiled into the binary from `Templates/`) and the HTML answers made from them.
struct PageRenderer: Sendable {
    let library: MustacheLibrary

    /// Every template by the name pages and partials use.
    static let templates: [(name: String, text: [UInt8])] = [
        ("layout", PackageResources.layout_mustache),
        ("signin", PackageResources.signin_mustache),
        ("fleet", PackageResources.fleet_mustache),
        ("fleet_live", PackageResources.fleet_live_mustache),
        ("monitor", PackageResources.monitor_mustache),
        ("monitor_live", PackageResources.monitor_live_mustache),
        ("monitor_form", PackageResources.monitor_form_mustache),
        ("incidents", PackageResources.incidents_mustache),
        ("incidents_live", PackageResources.incidents_live_mustache),
        ("incident", PackageResources.incident_mustache),
        ("customers", PackageResources.customers_mustache),
        ("scripts", PackageResources.scripts_mustache),
        ("problem", PackageResources.problem_mustache),
        ("status", PackageResources.status_mustache),
    ]

    init() throws {
        MustacheContentTypes.register(ScalarHTMLEscaping(), named: ScalarHTMLEscaping.name)
        var library = MustacheLibrary()
        for template in Self.templates {
            // Every template escapes per Unicode scalar (see HTMLText), not per Character.
            let text = "{{% CONTENT_TYPE: \(ScalarHTMLEscaping.name)}}" + String(decoding: template.text, as: UTF8.self)
            try library.register(text, named: template.name)
        }
        self.library = library
    }

    /// The page `template` for `view`, as an HTML answer.
    func page(_ template: String, _ view: Any, status: HTTPResponse.Status = .ok) -> Response {
        Self.html(render(template, view), status: status)
    }

    func render(_ template: String, _ view: Any) -> String {
        library.render(view, withTemplate: template) ?? "template \(template) is missing"
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A redirect after a form (303: the browser follows with GET).
    static func redirect(_ location: String, cookie: String? = nil) -> Response {
        var headers = securityHeaders
        headers[.location] = location
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }

    /// No caching of signed-in pages, no framing, scripts and styles from this origin only.
    static let securityHeaders: HTTPFields = [
        .cacheControl: "no-store",
        .contentSecurityPolicy:
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        HTTPField.Name("X-Frame-Options")!: "DENY",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
    ]
}

extension Dashboard {
    /// `/assets/dashboard.css` and `/assets/dashboard.js`, cached for an hour.
    func addAssets(to router: Router<MailmonRequestContext>) {
        let assets: [(String, String, [UInt8])] = [
            ("assets/dashboard.css", "text/css; charset=utf-8", PackageResources.dashboard_css),
            ("assets/dashboard.js", "text/javascript; charset=utf-8", PackageResources.dashboard_js),
        ]
        for (path, type, bytes) in assets {
            let body = ByteBuffer(bytes: bytes)
            router.get(RouterPath(path)) { _, _ in
                Response(
                    status: .ok,
                    headers: [.contentType: type, .cacheControl: "public, max-age=3600", HTTPField.Name("X-Content-Type-Options")!: "nosniff"],
                    body: .init(byteBuffer: body))
            }
        }
    }
}

/// HTML escaping for `{{value}}`: swift-mustache's own compares whole Characters, so a quote or a
/// bracket followed by a combining mark (`"` U+0301) would pass unescaped into an attribute.
struct ScalarHTMLEscaping: MustacheContentType {
    static let name = "HTMLSCALARS"
    func escapeText(_ text: String) -> String { HTMLText.escape(text) }
}

/// Text for HTML, escaped scalar by scalar: `<`, `>`, `&`, `"` and `'` whatever follows them.
enum HTMLText {
    static func escape(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }
}
