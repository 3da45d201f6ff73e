/// What the channel driver needs from a session machine. Both machines are
/// pure; the driver owns the socket, the clock and the TLS handler.
protocol ProbeSession: Sendable {
    var phase: ProbePhase { get }
    mutating func receive(line: [UInt8]) -> SessionAction
    mutating func inputViolation(_ text: String) -> SessionAction
    mutating func tlsEstablished() -> SessionAction
    mutating func connectionClosed() -> SessionAction
}

extension ImapSessionMachine: ProbeSession {}
extension Pop3SessionMachine: ProbeSession {}
