import API
import Domain
import Engine
import Foundation
import Hummingbird

/// A refusal shown next to the field it names.
struct FormErrors {
    var customer: String?
    var name: String?
    var hostname: String?
    var port: String?
    var `protocol`: String?
    var security: String?
    var user: String?
    var password: String?
    var mailbox: String?
    var verify: String?
    var checkInterval: String?
    var timeoutSeconds: String?
    var notificationEmail: String?
    /// A refusal that names no field of the form.
    var general: String?

    var isEmpty: Bool {
        [customer, name, hostname, port, `protocol`, security, user, password, mailbox, verify, checkInterval, timeoutSeconds,
         notificationEmail, general].allSatisfy { $0 == nil }
    }
}

struct MonitorFormView {
    let chrome: Chrome
    let title: String
    let action: String
    let isNew: Bool
    let customers: [Option]
    let customerName: String
    let name: String
    let hostname: String
    let port: String
    let protocols: [Option]
    let securities: [Option]
    let user: String
    let mailbox: String
    let verify: Bool
    let checkInterval: String
    let timeoutSeconds: String
    let notificationEmail: String
    let hasPassword: Bool
    let errors: FormErrors
    let hasErrors: Bool
}

/// What the form holds, as submitted or as the monitor is (the password never: it is write-only).
struct MonitorFormValues {
    var customer = ""
    var name = ""
    var hostname = ""
    var port = ""
    var mailProtocol = "imap"
    var security = "tls"
    var user = ""
    var mailbox = ""
    var verify = true
    var checkInterval = "5"
    var timeoutSeconds = "30"
    var notificationEmail = ""

    init() {}

    init(_ form: FormBody) {
        customer = form["customerId"] ?? ""
        name = form["name"] ?? ""
        hostname = form["hostname"] ?? ""
        port = form["port"] ?? ""
        mailProtocol = form["protocol"] ?? "imap"
        security = form["security"] ?? "tls"
        user = form["user"] ?? ""
        mailbox = form["mailbox"] ?? ""
        verify = form.flag("verify")
        checkInterval = form["checkInterval"] ?? ""
        timeoutSeconds = form["timeoutSeconds"] ?? ""
        notificationEmail = form["notificationEmail"] ?? ""
    }

    init(_ monitor: Monitor, config: [String: Any]) {
        let f = monitor.fields
        name = f.name
        hostname = f.hostname
        port = f.port.map(String.init) ?? ""
        mailProtocol = config["protocol"] as? String ?? "imap"
        security = (config["tls"] as? Bool) == true ? "tls" : (config["starttls"] as? Bool) == true ? "starttls" : "none"
        user = config["user"] as? String ?? ""
        mailbox = config["mailbox"] as? String ?? ""
        verify = ((config["tlsOptions"] as? [String: Any])?["rejectUnauthorized"] as? Bool) ?? true
        checkInterval = String(f.checkInterval)
        timeoutSeconds = String(f.timeoutSeconds)
        notificationEmail = f.notificationEmail ?? ""
    }

    /// A number when the text is one; else the text, for the policy to refuse by name.
    static func number(_ text: String) -> Any {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return NSNull() }
        return Int(trimmed).map { $0 as Any } ?? trimmed
    }

    /// The request body of a create or an edit, with `imapPopConfig` as given (a create adds `customerId`).
    func body(config: [String: Any]) -> [String: Any] {
        let email = notificationEmail.trimmingCharacters(in: .whitespaces)
        return [
            "name": name, "hostname": hostname.trimmingCharacters(in: .whitespaces), "port": Self.number(port),
            "checkInterval": Self.number(checkInterval), "timeoutSeconds": Self.number(timeoutSeconds), "imapPopConfig": config,
            "notificationEmail": email.isEmpty ? NSNull() : email,
        ]
    }

    /// `imapPopConfig` from the form over what the monitor had (keys the form does not show are kept;
    /// an empty password keeps the stored one).
    func config(over existing: [String: Any], password: String?) -> [String: Any] {
        var config = existing
        config["protocol"] = mailProtocol
        config["user"] = user
        config["tls"] = security == "tls"
        config["starttls"] = security == "starttls"
        let trimmedMailbox = mailbox.trimmingCharacters(in: .whitespaces)
        config["mailbox"] = trimmedMailbox.isEmpty ? nil : trimmedMailbox
        var tlsOptions = existing["tlsOptions"] as? [String: Any] ?? [:]
        tlsOptions["rejectUnauthorized"] = verify
        config["tlsOptions"] = tlsOptions
        if let password, !password.isEmpty { config["password"] = password }
        return config
    }
}

extension Dashboard {
    /// `GET/POST /monitors/new` and `GET/POST /monitors/:id/edit`: the form goes through the same Lua
    /// policies as the API; a refusal is shown next to the field it names, with what was typed kept.
    func addMonitorForm(to router: Router<MailmonRequestContext>) {
        router.get("monitors/new") { request, _ in
            try await page(request) { me, _ in
                var values = MonitorFormValues()
                values.customer = request.uri.queryParameters["customer"].map(String.init) ?? ""
                return try await formPage(me, monitor: nil, values: values, errors: FormErrors())
            }
        }
        router.post("monitors/new") { request, _ in
            try await page(request, form: true) { me, form in
                let values = MonitorFormValues(form)
                var body = values.body(config: values.config(over: [:], password: form["password"]))
                body["customerId"] = values.customer
                do {
                    let monitor = try await monitors.create(try Self.json(body), actor: me.principal)
                    return PageRenderer.redirect("/monitors/\(monitor.publicId.lowercasedString)")
                } catch let error as DomainError {
                    return try await formPage(me, monitor: nil, values: values, errors: Self.errors(error), status: error.status)
                }
            }
        }
        router.get("monitors/:publicId/edit") { request, context in
            try await page(request) { me, _ in
                let (monitor, _) = try await monitors.view(try context.parameters.require("publicId"), actor: me.principal)
                guard try await mayChange(me.principal, organizationId: monitor.organizationId, customerId: monitor.customerId) else {
                    return problem(me.chrome, .forbidden, "Not allowed", "Your token may read this monitor but not change it.")
                }
                return try await formPage(me, monitor: monitor, values: MonitorFormValues(monitor, config: Self.config(monitor)), errors: FormErrors())
            }
        }
        router.post("monitors/:publicId/edit") { request, context in
            try await page(request, form: true) { me, form in
                let (monitor, _) = try await monitors.view(try context.parameters.require("publicId"), actor: me.principal)
                let values = MonitorFormValues(form)
                let body = values.body(config: values.config(over: Self.config(monitor), password: form["password"]))
                do {
                    _ = try await monitors.update(monitor.publicId.lowercasedString, try Self.json(body), actor: me.principal)
                    return PageRenderer.redirect("/monitors/\(monitor.publicId.lowercasedString)")
                } catch let error as DomainError {
                    return try await formPage(me, monitor: monitor, values: values, errors: Self.errors(error), status: error.status)
                }
            }
        }
    }

    func formPage(
        _ me: SignedIn, monitor: Monitor?, values: MonitorFormValues, errors: FormErrors, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var customerOptions: [Option] = []
        var customerName = ""
        if let monitor {
            customerName = try await customers.get(String(monitor.customerId), actor: me.principal).name
        } else {
            let found = try await customers.list(search: nil, page: 1, perPage: 500, actor: me.principal)
            customerOptions = found.items.map {
                Option(value: $0.publicId.lowercasedString, label: $0.name, selected: values.customer == $0.publicId.lowercasedString)
            }
        }
        let id = monitor?.publicId.lowercasedString
        let view = MonitorFormView(
            chrome: me.chrome, title: monitor.map { "Edit \($0.fields.name)" } ?? "New monitor",
            action: id.map { "/monitors/\($0)/edit" } ?? "/monitors/new", isNew: monitor == nil, customers: customerOptions,
            customerName: customerName, name: values.name, hostname: values.hostname, port: values.port,
            protocols: [("imap", "IMAP"), ("pop3", "POP3")].map { Option(value: $0.0, label: $0.1, selected: values.mailProtocol == $0.0) },
            securities: [("tls", "TLS from the start (993/995)"), ("starttls", "STARTTLS / STLS"), ("none", "none (plain text)")].map {
                Option(value: $0.0, label: $0.1, selected: values.security == $0.0)
            },
            user: values.user, mailbox: values.mailbox, verify: values.verify, checkInterval: values.checkInterval,
            timeoutSeconds: values.timeoutSeconds, notificationEmail: values.notificationEmail,
            hasPassword: monitor.map { Self.config($0)["password"] != nil } ?? false, errors: errors,
            hasErrors: !errors.isEmpty)
        return pages.page("monitor_form", view, status: status)
    }

    /// The monitor's stored config, secrets masked (the mask sent back keeps them).
    static func config(_ monitor: Monitor) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(monitor.maskingSecrets().fields.config.utf8)) as? [String: Any]) ?? [:]
    }

    static func json(_ object: [String: Any]) throws -> JSONRequestBody {
        JSONRequestBody(bytes: Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])))
    }

    /// The refusal placed at the field its message (or its `field`) names: the first word of the
    /// message that is one of the form's fields (`hostname must …`, `Invalid hostname: …`, `imapPopConfig.user …`).
    static func errors(_ error: DomainError) -> FormErrors {
        var words: [String] = []
        if case .invalid(let field?) = error.kind { words.append(field) }
        words += error.message.split { !($0.isLetter || $0.isNumber || $0 == ".") }.map(String.init)
        let known: Set<String> = [
            "customerId", "Customer", "name", "hostname", "port", "protocol", "tls", "starttls", "user", "password", "mailbox", "tlsOptions",
            "tlsOptions.rejectUnauthorized", "checkInterval", "timeoutSeconds", "notificationEmail",
        ]
        let key = words.lazy.map { word -> String in
            var word = word
            for prefix in ["imapPopConfig.", "config."] where word.hasPrefix(prefix) { word = String(word.dropFirst(prefix.count)) }
            return word.hasSuffix(".") ? String(word.dropLast()) : word
        }.first { known.contains($0) } ?? ""
        var errors = FormErrors()
        switch key {
        case "customerId", "Customer": errors.customer = error.message
        case "name": errors.name = error.message
        case "hostname": errors.hostname = error.message
        case "port": errors.port = error.message
        case "protocol": errors.protocol = error.message
        case "tls", "starttls": errors.security = error.message
        case "user": errors.user = error.message
        case "password": errors.password = error.message
        case "mailbox": errors.mailbox = error.message
        case "tlsOptions", "tlsOptions.rejectUnauthorized": errors.verify = error.message
        case "checkInterval": errors.checkInterval = error.message
        case "timeoutSeconds": errors.timeoutSeconds = error.message
        case "notificationEmail": errors.notificationEmail = error.message
        default: errors.general = error.message
        }
        return errors
    }
}
