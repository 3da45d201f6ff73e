import Engine
import Foundation
import Domain

/// The JSON shapes of the API's resources, field for field as the reference shows them.
enum ResourceJSON {
    static func monitor(_ m: Monitor, into json: inout JSONWriter, customerName: String? = nil, customer: Customer? = nil) {
        json.object { json in
            json.field("id", m.id)
            json.field("publicId", m.publicId.lowercasedString)
            json.field("organizationId", m.organizationId)
            json.field("customerId", m.customerId)
            if let customerName { json.field("customerName", customerName) }
            json.field("name", m.fields.name)
            json.field("hostname", m.fields.hostname)
            json.field("port", m.fields.port)
            json.field("checkInterval", m.fields.checkInterval)
            json.field("timeoutSeconds", m.fields.timeoutSeconds)
            json.field("status", m.fields.status.rawValue)
            json.field("notificationPhoneNumber", m.fields.notificationPhoneNumber)
            json.field("notificationEmail", m.fields.notificationEmail)
            json.field("allowedCheckCountryCodes", strings: m.fields.allowedCheckCountryCodes)
            json.field("lastCheckedAt", m.lastCheckedAt)
            json.field("createdAt", m.createdAt)
            json.field("updatedAt", m.updatedAt)
            // What the checks say (additive to the reference's fields).
            json.field("state", m.state.rawValue)
            json.field("stateSince", m.stateSince)
            json.field("lastFailureCategory", m.health.lastFailureCategory)
            json.field("lastFailureMessage", m.health.lastFailureMessage)
            json.field("lastFailureAt", m.health.lastFailureAt)
            json.field("lastResponseTimeMs", m.health.lastResponseMilliseconds.map { Int64($0.rounded()) })
            json.field("policyVersion", m.fields.policyVersion)
            json.field("config", raw: m.fields.config)
            json.field("imapPopConfig", raw: m.fields.config)
            if let customer {
                json.key("customer")
                self.customer(customer, into: &json)
            }
        }
    }

    static func customer(_ c: Customer, into json: inout JSONWriter) {
        json.object { json in
            json.field("id", c.id)
            json.field("publicId", c.publicId.lowercasedString)
            json.field("organizationId", c.organizationId)
            json.field("name", c.name)
            json.field("email", c.email)
            json.field("allowedCheckCountryCodes", strings: c.allowedCheckCountryCodes)
            json.field("alertLocationThresholdCount", c.alertLocationThresholdCount)
            json.key("statusPage")
            json.object { json in
                json.field("enabled", c.statusPage != nil)
                json.field("slug", c.statusPage?.slug)
                json.field("path", c.statusPage.map { "/status/\($0.slug)" })
                json.field("showHostnames", c.statusPage?.showHostnames ?? false)
            }
            json.field("createdAt", c.createdAt)
            json.field("updatedAt", c.updatedAt)
        }
    }

    static func page<Item>(_ page: Page<Item>, into json: inout JSONWriter, item: (Item, inout JSONWriter) -> Void) {
        json.object { json in
            json.key("items")
            json.array(page.items) { json, element in item(element, &json) }
            json.field("total", page.total)
            json.field("page", page.page)
            json.field("perPage", page.perPage)
        }
    }
}
