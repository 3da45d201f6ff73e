import API
import Domain
import Engine
import Foundation
import HTTPTypes
import Hummingbird

/// Who a page acts as: the session's principal, its CSRF token, and the page chrome.
struct SignedIn: Sendable {
    let principal: Principal
    let sessionId: String
    let csrf: String

    var chrome: Chrome { Chrome(principal: principal, csrf: csrf) }
}

/// What every signed-in page shows around its content: who is signed in and the sign-out form.
struct Chrome {
    let who: String
    let role: String
    let csrf: String

    init(principal: Principal, csrf: String) {
        who = principal.customerId.map { "token #\(principal.tokenId) (customer \($0))" } ?? "token #\(principal.tokenId)"
        role = principal.globalSupporter ? "\(principal.role.rawValue), global supporter" : principal.role.rawValue
        self.csrf = csrf
    }
}

struct SignInView {
    let error: String?
    let next: String
}

/// A refusal rendered as a page with its status.
struct ProblemView {
    let chrome: Chrome?
    let title: String
    let message: String
}

extension Dashboard {
    static let cookieName = "mailmon_session"

    /// `GET /login`, `POST /login` (an API token → a session cookie), `POST /logout`.
    func addSignIn(to router: Router<MailmonRequestContext>) {
        router.get("login") { request, _ in
            if try await signedIn(request) != nil { return PageRenderer.redirect("/") }
            return pages.page("signin", SignInView(error: nil, next: Self.safeNext(request.uri.queryParameters["next"].map(String.init))))
        }
        router.post("login") { request, context in
            guard Self.sameOrigin(request) else { return forbiddenCrossSite() }
            let form = try await Self.form(request)
            let next = Self.safeNext(form["next"])
            guard let token = form.text("token"), let principal = try await principals.principal(token: token) else {
                let address = context.remoteAddress ?? "unknown"
                switch failures.failed(address) {
                case .refuse: break
                case .slow(let delay): try await Task.sleep(for: delay)
                case .tooMany(let seconds):
                    return pages.page(
                        "signin", SignInView(error: "Too many failed sign-ins from this address; try again in \(seconds) s.", next: next),
                        status: .tooManyRequests)
                }
                return pages.page(
                    "signin", SignInView(error: "That token is not valid (revoked, expired or mistyped).", next: next), status: .unauthorized)
            }
            _ = principal
            let id = await sessions.create(token: token)
            return PageRenderer.redirect(next, cookie: Self.cookie(id, secure: Self.isHTTPS(request)))
        }
        router.post("logout") { request, _ in
            try await page(request, form: true) { me, _ in
                await sessions.remove(me.sessionId)
                return PageRenderer.redirect("/login", cookie: "\(Self.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict")
            }
        }
    }

    /// The session of the request's cookie, with its principal asked again (a revoked token's session ends).
    func signedIn(_ request: Request) async throws -> SignedIn? {
        guard let id = request.cookies[Self.cookieName]?.value, !id.isEmpty, let session = await sessions.session(id) else { return nil }
        guard let principal = try await principals.principal(token: session.token) else {
            await sessions.remove(id)
            return nil
        }
        return SignedIn(principal: principal, sessionId: id, csrf: session.csrf)
    }

    /// Runs a page for a signed-in browser: without a session, off to `/login`; a form (POST) must come
    /// from this origin and carry the session's CSRF token. Refusals become pages with their status.
    func page(
        _ request: Request, form expectsForm: Bool = false, _ body: (SignedIn, FormBody) async throws -> Response
    ) async throws -> Response {
        guard let me = try await signedIn(request) else {
            if expectsForm { return problem(nil, .unauthorized, "Signed out", "Your session has ended. Sign in again.") }
            let target = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            return PageRenderer.redirect("/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        var form = FormBody(fields: [:])
        if expectsForm {
            guard Self.sameOrigin(request) else { return forbiddenCrossSite() }
            form = try await Self.form(request)
            guard let sent = form["csrf"], Self.constantTimeEqual(sent, me.csrf) else {
                return problem(me.chrome, .forbidden, "Form expired", "This form is not from your current session. Go back, reload the page and try again.")
            }
        }
        do {
            return try await body(me, form)
        } catch let error as DomainError {
            return problem(me.chrome, error.status, Self.title(error), error.message)
        } catch let error as any ScriptFailure {
            return problem(
                me.chrome, .internalServerError, "A policy script failed",
                "\(error.scriptLocation.map { "\($0): " } ?? "")\(error.failureMessage)")
        }
    }

    func problem(_ chrome: Chrome?, _ status: HTTPResponse.Status, _ title: String, _ message: String) -> Response {
        pages.page("problem", ProblemView(chrome: chrome, title: title, message: message), status: status)
    }

    func forbiddenCrossSite() -> Response {
        problem(nil, .forbidden, "Refused", "This form was sent from another site.")
    }

    static func title(_ error: DomainError) -> String {
        switch error.status.code {
        case 403: "Not allowed"
        case 404: "Not found"
        case 429: "Too soon"
        default: "Refused"
        }
    }

    static func form(_ request: Request) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: FormBody.maxBytes)
        return FormBody(encoded: String(buffer: buffer))
    }

    /// A form's `Origin` (or, without one, its `Referer`) must name this server; a browser sends one with every POST.
    static func sameOrigin(_ request: Request) -> Bool {
        guard let host = request.head.authority else { return false }
        let source = request.headers[.origin] ?? request.headers[.referer]
        guard let source, let url = URL(string: source), let sourceHost = url.host else { return false }
        let sourceAuthority = url.port.map { "\(sourceHost):\($0)" } ?? sourceHost
        return sourceAuthority.lowercased() == host.lowercased()
    }

    static func isHTTPS(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    static func cookie(_ id: String, secure: Bool) -> String {
        "\(cookieName)=\(id); Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    /// Where to go after signing in: a path on this server only.
    static func safeNext(_ next: String?) -> String {
        // No controls or spaces: a browser drops tabs and newlines from a URL, and `/<TAB>/evil.example` would become `//evil.example`.
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count < 500,
            next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F })
        else { return "/" }
        return next
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
