public import MailProbe

/// Runs checks: resolves a missing port through the Lua rule, then probes.
public struct CheckRunner: Sendable {
    public let probes: ProbeRegistry
    public let ports: PortRule

    public init(probes: ProbeRegistry, ports: PortRule) {
        self.probes = probes
        self.ports = ports
    }

    public func run(_ request: CheckRequest) async throws -> ProbeResult {
        let port: Int
        if let explicit = request.port {
            port = explicit
        } else {
            port = try await ports.defaultPort(request.mailProtocol, tls: request.tls)
        }
        return await probes.check(request.target(port: port))
    }
}
