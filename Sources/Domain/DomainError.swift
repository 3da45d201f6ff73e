/// A refusal of a request, by kind: the API maps the kind to a status; nothing below it knows HTTP.
public struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The request itself is wrong; `field` names what, when one field is to blame.
        case invalid(field: String?)
        case forbidden
        case notFound
        /// A unique value is taken, or the target kept changing.
        case conflict
        /// Asked again too soon.
        case rateLimited
        /// A policy script refused with a 4xx status of its choosing; it is kept as chosen.
        case rejectedByPolicy(status: Int)
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public static func badRequest(_ message: String, field: String? = nil) -> DomainError { DomainError(.invalid(field: field), message) }
    public static func forbidden(_ message: String) -> DomainError { DomainError(.forbidden, message) }
    public static func notFound(_ message: String) -> DomainError { DomainError(.notFound, message) }
    public static func conflict(_ message: String) -> DomainError { DomainError(.conflict, message) }
    public static func rateLimited(_ message: String) -> DomainError { DomainError(.rateLimited, message) }

    public var description: String { "\(kind): \(message)" }
}

/// A failure of an operator's script (a policy or a hook), named by script and line where known.
/// The script runtime's errors conform, so callers above the engine can report them without importing it.
public protocol ScriptFailure: Error, Sendable {
    /// `script.lua:line`, when known.
    var scriptLocation: String? { get }
    var failureMessage: String { get }
}
