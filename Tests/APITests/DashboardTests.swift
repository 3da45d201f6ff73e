import API
import App
import Dashboard
import Engine
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing

/// The dashboard's HTTP surface without a browser (tools/browser_test.py drives it in Chromium):
/// sessions, CSRF and origin checks, the roles, the policies behind the form, and no password.
@Suite struct DashboardTests {
    static let password = "Mailbox-Password-Never-Shown-1"

    /// A signed-in browser: its cookie and the session's CSRF token.
    struct Browser {
        let cookie: String
        let csrf: String
    }

    static func application(_ fixture: APIFixture) throws -> some ApplicationProtocol {
        let api = APIDependencies(runtime: fixture.runtime)
        let dashboard = try Dashboard(runtime: fixture.runtime, api: api)
        return Application(router: buildRouter(api, pages: dashboard.add))
    }

    static func form(_ fields: [String: String]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&"))
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func signIn(_ client: some TestClientProtocol, token: String) async throws -> Browser {
        let response = try await client.execute(
            uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"],
            body: form(["token": token]))
        #expect(response.status == .seeOther)
        let setCookie = try #require(response.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        let cookie = String(setCookie.prefix { $0 != ";" })
        let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie])
        #expect(page.status == .ok)
        let html = text(page)
        let marker = #"name="csrf" value=""#
        let start = try #require(html.range(of: marker)).upperBound
        return Browser(cookie: cookie, csrf: String(html[start...].prefix { $0 != "\"" }))
    }

    static func post(
        _ client: some TestClientProtocol, _ path: String, _ browser: Browser, _ fields: [String: String] = [:], csrf: String? = nil,
        origin: String = "http://localhost"
    ) async throws -> TestResponse {
        var body = fields
        body["csrf"] = csrf ?? browser.csrf
        return try await client.execute(
            uri: path, method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: browser.cookie, .origin: origin], body: form(body))
    }

    /// A customer and a monitor with a password, made over the API; returns the monitor's publicId.
    static func monitor(_ client: some TestClientProtocol, _ fixture: APIFixture) async throws -> String {
        let customer = try await client.call(.post, "/api/customers", token: fixture.admin, json: #"{"name": "Acme"}"#)
        let customerId = try #require(customer.body["publicId"] as? String)
        let created = try await client.call(
            .post, "/api/imap-pop-monitors", token: fixture.admin,
            json: #"{"customerId": "\#(customerId)", "name": "box-one", "hostname": "127.0.0.1", "port": 1, "imapPopConfig": {"protocol": "imap", "user": "u", "password": "\#(password)"}}"#)
        #expect(created.status == .created)
        return try #require(created.body["publicId"] as? String)
    }

    @Test func signedOutPagesLeadToTheSignInAndABadTokenIsRefused() async throws {
        let fixture = try await APIFixture.make()
        try await Self.application(fixture).test(.router) { client in
            let fleet = try await client.execute(uri: "/", method: .get)
            #expect(fleet.status == .seeOther)
            #expect(fleet.headers[.location] == "/login?next=%2F")
            let live = try await client.execute(uri: "/fleet/live", method: .get)
            #expect(live.status == .seeOther)
            let refused = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"],
                body: Self.form(["token": "mm_" + String(repeating: "x", count: 40)]))
            #expect(refused.status == .unauthorized)
            #expect(Self.text(refused).contains("not valid"))
            #expect(refused.headers[.setCookie] == nil)
            let crossSite = try await client.execute(
                uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://evil.example"],
                body: Self.form(["token": fixture.admin]))
            #expect(crossSite.status == .forbidden)
            #expect(crossSite.headers[.setCookie] == nil)
        }
    }

    @Test func pagesEscapeEveryQuoteAndSignInGoesNowhereElse() async throws {
        let fixture = try await APIFixture.make()
        try await Self.application(fixture).test(.router) { client in
            let admin = try await Self.signIn(client, token: fixture.admin)
            // A quote with a combining mark after it is still a quote to the browser's attribute parser.
            let search = "\"\u{301} autofocus x="
            let page = Self.text(try await client.execute(
                uri: "/?q=" + search.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!, method: .get,
                headers: [.cookie: admin.cookie]))
            #expect(page.contains("value=\"&quot;\u{301} autofocus x=\""), "\(page.prefix(2000))")
            #expect(!page.contains("value=\"\"\u{301}"))
            // After signing in, only a path on this server: not one a browser turns into another host.
            for next in ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/"] {
                let signedIn = try await client.execute(
                    uri: "/login", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"],
                    body: ByteBuffer(string: "token=\(fixture.admin)&next=\(next)"))
                #expect(signedIn.headers[.location] == "/", "\(next)")
            }
        }
    }

    @Test func oneTokenHoldsAtMostTwentySessionsAndPushesOutOnlyItsOwn() async throws {
        let fixture = try await APIFixture.make()
        try await Self.application(fixture).test(.router) { client in
            let admin = try await Self.signIn(client, token: fixture.admin)
            let first = try await Self.signIn(client, token: fixture.readonly)
            for _ in 0..<20 { _ = try await Self.signIn(client, token: fixture.readonly) }
            // The readonly token's oldest session went; the admin's stays.
            #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: first.cookie]).status == .seeOther)
            #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: admin.cookie]).status == .ok)
        }
    }

    @Test func formsNeedTheSessionsCSRFTokenAndThisOrigin() async throws {
        let fixture = try await APIFixture.make()
        try await Self.application(fixture).test(.router) { client in
            let monitor = try await Self.monitor(client, fixture)
            let admin = try await Self.signIn(client, token: fixture.admin)
            #expect(try await Self.post(client, "/monitors/\(monitor)/pause", admin, csrf: "forged").status == .forbidden)
            #expect(try await Self.post(client, "/monitors/\(monitor)/pause", admin, origin: "http://evil.example").status == .forbidden)
            let noCookie = Browser(cookie: "mailmon_session=unknown", csrf: admin.csrf)
            #expect(try await Self.post(client, "/monitors/\(monitor)/pause", noCookie).status == .unauthorized)
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(monitor)", token: fixture.admin).body["status"] as? String == "active")
            let paused = try await Self.post(client, "/monitors/\(monitor)/pause", admin)
            #expect(paused.status == .seeOther)
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(monitor)", token: fixture.admin).body["status"] as? String == "disabled")
            // Sign out forgets the session: its cookie opens nothing afterwards.
            #expect(try await Self.post(client, "/logout", admin).status == .seeOther)
            #expect(try await Self.post(client, "/monitors/\(monitor)/resume", admin).status == .unauthorized)
            #expect(try await client.execute(uri: "/", method: .get, headers: [.cookie: admin.cookie]).status == .seeOther)
        }
    }

    @Test func aReadonlyTokenSeesNoControlsAndItsChangesAreRefused() async throws {
        let fixture = try await APIFixture.make()
        try await Self.application(fixture).test(.router) { client in
            let monitor = try await Self.monitor(client, fixture)
            let readonly = try await Self.signIn(client, token: fixture.readonly)
            let fleet = Self.text(try await client.execute(uri: "/", method: .get, headers: [.cookie: readonly.cookie]))
            #expect(fleet.contains("box-one"))
            #expect(!fleet.contains(#"id="new-monitor""#))
            let page = Self.text(try await client.execute(uri: "/monitors/\(monitor)", method: .get, headers: [.cookie: readonly.cookie]))
            #expect(page.contains(#"id="state""#))
            for control in ["check-now", "pause", "edit"] { #expect(!page.contains(#"id="\#(control)""#)) }
            #expect(try await Self.post(client, "/monitors/\(monitor)/check", readonly).status == .forbidden)
            let edit = try await client.execute(uri: "/monitors/\(monitor)/edit", method: .get, headers: [.cookie: readonly.cookie])
            #expect(edit.status == .forbidden)
            let renamed = try await Self.post(
                client, "/monitors/\(monitor)/edit", readonly,
                ["name": "renamed", "hostname": "127.0.0.1", "protocol": "imap", "security": "none", "user": "u", "checkInterval": "5",
                 "timeoutSeconds": "5"])
            #expect(renamed.status == .forbidden)
            #expect(try await client.call(.get, "/api/imap-pop-monitors/\(monitor)", token: fixture.admin).body["name"] as? String == "box-one")
        }
    }

    @Test func anIncidentPageShowsItsTimelineAndIsAcknowledgedThere() async throws {
        let fixture = try await APIFixture.make()
        try await Self.application(fixture).test(.router) { client in
            let monitor = try await Self.monitor(client, fixture)  // port 1 on loopback: refused
            _ = try await client.call(.post, "/api/imap-pop-monitors/\(monitor)/trigger-check", token: fixture.admin)
            let listed = try await client.call(.get, "/api/incidents?status=active", token: fixture.admin)
            let incident = try #require(((listed.body["items"] as? [[String: Any]])?.first)?["publicId"] as? String)
            let readonly = try await Self.signIn(client, token: fixture.readonly)
            let seen = Self.text(try await client.execute(uri: "/incidents/\(incident)", method: .get, headers: [.cookie: readonly.cookie]))
            #expect(seen.contains("connect_refused") && seen.contains("<strong>opened</strong>"))
            #expect(!seen.contains(#"id="acknowledge""#))
            #expect(try await Self.post(client, "/incidents/\(incident)/acknowledge", readonly, ["back": "incident"]).status == .forbidden)

            let admin = try await Self.signIn(client, token: fixture.admin)
            let page = Self.text(try await client.execute(uri: "/incidents/\(incident)", method: .get, headers: [.cookie: admin.cookie]))
            #expect(page.contains(#"id="acknowledge""#))
            let acknowledged = try await Self.post(client, "/incidents/\(incident)/acknowledge", admin, ["back": "incident"])
            #expect(acknowledged.status == .seeOther && acknowledged.headers[.location] == "/incidents/\(incident)")
            let after = Self.text(try await client.execute(uri: "/incidents/\(incident)", method: .get, headers: [.cookie: admin.cookie]))
            #expect(after.contains(#"id="acknowledged""#) && after.contains("<strong>acknowledged</strong>"))
            #expect(!after.contains(#"id="acknowledge""#))
            #expect(try await client.execute(uri: "/incidents/not-a-uuid", method: .get, headers: [.cookie: admin.cookie]).status == .badRequest)
        }
    }

    @Test func theFormGoesThroughThePolicyAndNoPageShowsThePassword() async throws {
        let fixture = try await APIFixture.make()
        try await Self.application(fixture).test(.router) { client in
            let monitor = try await Self.monitor(client, fixture)
            let admin = try await Self.signIn(client, token: fixture.admin)
            let customers = try await client.call(.get, "/api/customers", token: fixture.admin)
            let customer = try #require((customers.body["items"] as? [[String: Any]])?.first?["publicId"] as? String)
            var fields = [
                "customerId": customer, "name": "box-two", "hostname": "imap.example.com/imap", "port": "", "protocol": "imap",
                "security": "tls", "verify": "on", "user": "someone", "password": "Second-Password-2", "checkInterval": "5",
                "timeoutSeconds": "10",
            ]
            let refused = try await Self.post(client, "/monitors/new", admin, fields)
            #expect(refused.status == .badRequest)
            let html = Self.text(refused)
            #expect(html.contains(#"id="hostname-error""#))
            #expect(html.contains(#"value="box-two""#))
            #expect(!html.contains("Second-Password-2"))
            fields["hostname"] = "imap.example.com"
            let created = try await Self.post(client, "/monitors/new", admin, fields)
            #expect(created.status == .seeOther)
            let list = try await client.call(.get, "/api/imap-pop-monitors?search=box-two", token: fixture.admin)
            let stored = try #require((list.body["items"] as? [[String: Any]])?.first)
            #expect((stored["imapPopConfig"] as? [String: Any])?["password"] as? String == "Second-Password-2")

            // The edit form shows no password, and saving it without one keeps the stored password.
            let edit = Self.text(try await client.execute(uri: "/monitors/\(monitor)/edit", method: .get, headers: [.cookie: admin.cookie]))
            #expect(edit.contains(#"name="password" type="password" value="""#))
            #expect(edit.contains("leave empty to keep"))
            let saved = try await Self.post(
                client, "/monitors/\(monitor)/edit", admin,
                ["name": "box-one-renamed", "hostname": "127.0.0.1", "port": "1", "protocol": "imap", "security": "none", "user": "u",
                 "password": "", "checkInterval": "5", "timeoutSeconds": "10"])
            #expect(saved.status == .seeOther)
            let after = try await client.call(.get, "/api/imap-pop-monitors/\(monitor)", token: fixture.admin)
            #expect(after.body["name"] as? String == "box-one-renamed")
            #expect((after.body["imapPopConfig"] as? [String: Any])?["password"] as? String == Self.password)

            for path in ["/", "/fleet/live", "/monitors/\(monitor)", "/monitors/\(monitor)/live", "/monitors/\(monitor)/edit", "/incidents",
                         "/incidents/live", "/customers", "/scripts"] {
                let response = try await client.execute(uri: path, method: .get, headers: [.cookie: admin.cookie])
                #expect(response.status == .ok, "\(path)")
                let body = Self.text(response)
                #expect(!body.contains(Self.password) && !body.contains("Second-Password-2"), "\(path)")
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            }
        }
    }
}

/// Status pages: opt-in per customer over the API, public, one customer's monitors only, no secrets.
@Suite struct StatusPageTests {
    @Test func aCustomersStatusPageShowsItsMonitorsAndNothingSecret() async throws {
        let fixture = try await APIFixture.make()
        try await DashboardTests.application(fixture).test(.router) { client in
            let acme = try await client.call(.post, "/api/customers", token: fixture.admin, json: #"{"name": "Acme", "statusPage": {"enabled": true}}"#)
            #expect(acme.status == .created)
            let setting = try #require(acme.body["statusPage"] as? [String: Any])
            let slug = try #require(setting["slug"] as? String)
            #expect(slug.count == 32 && setting["enabled"] as? Bool == true && setting["path"] as? String == "/status/\(slug)")
            let other = try await client.call(.post, "/api/customers", token: fixture.admin, json: #"{"name": "Other"}"#)
            #expect((other.body["statusPage"] as? [String: Any])?["enabled"] as? Bool == false)
            for (customer, name, host) in [(acme.body["publicId"], "acme-inbox", "imap.acme-mail.example"), (other.body["publicId"], "other-inbox", "imap.other.example")] {
                let created = try await client.call(
                    .post, "/api/imap-pop-monitors", token: fixture.admin,
                    json: #"{"customerId": "\#(customer as? String ?? "")", "name": "\#(name)", "hostname": "\#(host)", "imapPopConfig": {"user": "someone@acme.example", "password": "\#(DashboardTests.password)"}}"#)
                #expect(created.status == .created)
            }

            let page = try await client.execute(uri: "/status/\(slug)", method: .get)
            #expect(page.status == .ok)
            let html = DashboardTests.text(page)
            #expect(html.contains("acme-inbox") && html.contains("Not checked yet") && html.contains("All mailboxes operational"))
            #expect(!html.contains("other-inbox") && !html.contains("imap.acme-mail.example") && !html.contains("someone@acme.example"))
            #expect(!html.contains(DashboardTests.password))
            #expect(html.components(separatedBy: "<rect ").count - 1 == StatusPageService.days)
            #expect(page.headers[.cacheControl] == "public, max-age=30")
            let etag = try #require(page.headers[.eTag])
            #expect(try await client.execute(uri: "/status/\(slug)", method: .get, headers: [.ifNoneMatch: etag]).status == .notModified)
            let head = try await client.execute(uri: "/status/\(slug)", method: .head)
            #expect(head.status == .ok && head.headers[.eTag] == etag && head.body.readableBytes == 0)

            // The operator may show hostnames; the page follows at once (a new fingerprint, a new ETag).
            let acmeId = try #require(acme.body["publicId"] as? String)
            let shown = try await client.call(
                .patch, "/api/customers/\(acmeId)", token: fixture.admin, json: #"{"statusPage": {"enabled": true, "showHostnames": true}}"#)
            #expect((shown.body["statusPage"] as? [String: Any])?["slug"] as? String == slug)
            let withHosts = try await client.execute(uri: "/status/\(slug)", method: .get, headers: [.ifNoneMatch: etag])
            #expect(withHosts.status == .ok)
            #expect(DashboardTests.text(withHosts).contains("imap.acme-mail.example"))

            // A chosen slug is one customer's; switched off, the page is gone.
            let otherId = try #require(other.body["publicId"] as? String)
            let chosen = try await client.call(.patch, "/api/customers/\(otherId)", token: fixture.admin, json: #"{"statusPage": {"enabled": true, "slug": "\#(slug)"}}"#)
            #expect(chosen.status == .conflict)
            let bad = try await client.call(.patch, "/api/customers/\(otherId)", token: fixture.admin, json: #"{"statusPage": {"enabled": true, "slug": "Bad Slug"}}"#)
            #expect(bad.status == .badRequest)
            let off = try await client.call(.patch, "/api/customers/\(acmeId)", token: fixture.admin, json: #"{"statusPage": {"enabled": false}}"#)
            #expect((off.body["statusPage"] as? [String: Any])?["enabled"] as? Bool == false)
            #expect(try await client.execute(uri: "/status/\(slug)", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/status/unknown-slug", method: .get).status == .notFound)
            // Switching a status page is a change of the customer: readonly tokens cannot.
            let refused = try await client.call(.patch, "/api/customers/\(acmeId)", token: fixture.readonly, json: #"{"statusPage": {"enabled": true}}"#)
            #expect(refused.status == .forbidden)
        }
    }
}
