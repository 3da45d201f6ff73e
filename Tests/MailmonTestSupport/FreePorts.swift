import Foundation

/// Ports that were free a moment ago on 127.0.0.1 (the kernel picked them), for a server to bind.
/// Something else may bind them before it does: for a port nothing may listen on, use `RefusedPort`.
public enum FreePorts {
    public static func take(_ count: Int) throws -> [Int] {
        // Held together, so the ports differ; released together, for the server to bind.
        let held = try (0..<count).map { _ in try RefusedPort() }
        defer { held.forEach { $0.close() } }
        return held.map(\.port)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:port.
    public static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
