/// The limits the HTTP server puts on its connections (docs/operations.md, "Connection limits").
public struct HTTPServerLimits: Sendable, Hashable {
    /// A connection must send a complete request head within this many seconds of opening,
    /// and of its previous response (an idle keep-alive connection is closed after it).
    public var requestHeadTimeoutSeconds: Int
    /// A request whose body stalls, or a connection that stays silent otherwise, is closed after this many seconds.
    public var idleTimeoutSeconds: Int
    /// Open connections at most. At the limit, the connection that has waited longest for a
    /// request head is closed to make room; with none waiting, new connections wait to be accepted.
    public var maxConnections: Int

    public init(requestHeadTimeoutSeconds: Int = 10, idleTimeoutSeconds: Int = 60, maxConnections: Int = 4_096) {
        self.requestHeadTimeoutSeconds = requestHeadTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
    }

    /// File descriptors kept free of connections for the database, outgoing checks and logs.
    public static let reservedDescriptors = 128

    /// The default connection limit under an open-file limit of `openFiles`.
    public static func defaultMaxConnections(openFiles: Int) -> Int {
        max(16, min(4_096, openFiles - reservedDescriptors))
    }
}
