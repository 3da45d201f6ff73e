import Foundation
public import LuaHost
public import Domain

extension LuaHostFunctions {
    /// `mailmon.validate.*` (synchronous, pure) for policies and hooks.
    public static var validators: LuaHostFunctions {
        var functions = LuaHostFunctions()
        functions.register("mailmon.validate.hostname") { call in
            guard let text = call[0].stringValue else { return [false, "hostname must be a string"] }
            if let problem = Validators.hostnameProblem(text) { return [false, .string(problem)] }
            return [true]
        }
        functions.register("mailmon.validate.regex") { call in
            guard let text = call[0].stringValue else { return [false, "a pattern must be a string"] }
            if let problem = Validators.regexProblem(text) { return [false, .string(problem)] }
            return [true]
        }
        let predicates: [(String, @Sendable (String) -> Bool)] = [
            ("uuid", Validators.isUUID), ("email", Validators.isEmail), ("phone", Validators.isPhone),
            ("country_code", Validators.isCountryCode),
        ]
        for (name, predicate) in predicates {
            functions.register("mailmon.validate.\(name)") { call in
                guard let text = call[0].stringValue else { return [false] }
                return [.boolean(predicate(text))]
            }
        }
        return functions
    }

    /// `mailmon.store.*` reads (asynchronous: the script yields while the database works).
    /// `find_customer` is confined to the organization the caller passes; `count_monitors`
    /// counts for a customer id the script already holds (from `find_customer`).
    public static func storeReads(customers: any CustomerRepository, monitors: any MonitorRepository) -> LuaHostFunctions {
        var functions = LuaHostFunctions()
        functions.registerAsync("mailmon.store.find_customer") { call in
            guard let organizationId = call[0].integerValue else { throw LuaHostError("argument #1: organization id expected") }
            // The identifier's forms are the host's to parse (CustomerLookup): an invalid one is nil and why.
            guard let identifier = CustomerLookup.identifier(call[1]) else { return [.nil, .string(CustomerLookup.invalidIdentifier)] }
            let customer = try await CustomerLookup.find(identifier, in: customers, organizationId: organizationId)
            guard let customer, customer.organizationId == organizationId else { return [.nil] }
            return [customer.luaTable]
        }
        functions.registerAsync("mailmon.store.count_monitors") { call in
            guard let customerId = call[0].integerValue else { throw LuaHostError("argument #1: customer id expected") }
            return [.integer(Int64(try await monitors.countMonitors(customerId: customerId)))]
        }
        return functions
    }
}

extension Customer {
    var luaTable: LuaValue {
        let fields: [String: LuaValue?] = [
            "id": .integer(id), "publicId": .string(publicId.lowercasedString), "organizationId": .integer(organizationId),
            "name": .string(name), "email": email.map(LuaValue.string),
            "allowedCheckCountryCodes": .table(LuaTable(array: allowedCheckCountryCodes.map(LuaValue.string))),
            "alertLocationThresholdCount": .integer(Int64(alertLocationThresholdCount)),
        ]
        return .table(LuaTable(fields: fields.compactMapValues { $0 }))
    }
}

extension Principal {
    var luaTable: LuaValue {
        // nil values are left out: inside a table they would travel as mailmon.null.
        .table(LuaTable(fields: [
            "userId": .integer(userId), "organizationId": .integer(organizationId), "role": .string(role.rawValue),
            "globalSupporter": .boolean(globalSupporter), "customerId": customerId.map(LuaValue.integer),
        ].compactMapValues { $0 }))
    }
}
