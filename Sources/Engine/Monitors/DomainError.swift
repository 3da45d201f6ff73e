/// A refusal the API turns into its error body; `status` is the HTTP status.
public struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(_ status: Int, _ message: String) {
        self.status = status
        self.message = message
    }

    public static func badRequest(_ message: String) -> DomainError { DomainError(400, message) }
    public static func forbidden(_ message: String) -> DomainError { DomainError(403, message) }
    public static func notFound(_ message: String) -> DomainError { DomainError(404, message) }
    public static func conflict(_ message: String) -> DomainError { DomainError(409, message) }

    public var description: String { "\(status): \(message)" }
}
