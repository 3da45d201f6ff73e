/// A request's body as the client sent it (JSON, not yet parsed): the API reads it, the engine
/// parses it for the policies, so nothing above the engine depends on how scripts see values.
public struct JSONRequestBody: Sendable {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }
}
