import Foundation

/// A TCP connection to 127.0.0.1 with blocking calls bounded by timeouts, for sending what an
/// HTTP client library would refuse to send (partial heads, malformed requests).
public final class RawConnection: Sendable {
    public let descriptor: Int32

    /// Connects (bounded by `timeoutSeconds`, which also bounds every later read and write).
    public init(port: Int, timeoutSeconds: Int = 5) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket failed: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(fd)
            throw TestSupportError("connect to 127.0.0.1:\(port) failed: errno \(code)")
        }
        descriptor = fd
    }

    deinit { Glibc.close(descriptor) }

    public func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw TestSupportError("send failed: errno \(errno)") }
    }

    /// Everything the peer sends until it closes the connection; throws if it stays open past the timeout.
    public func readUntilClosed() throws -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return String(decoding: received, as: UTF8.self) }
            guard count > 0 else {
                throw TestSupportError("the server kept the connection open (errno \(errno)) after sending: \(String(decoding: received, as: UTF8.self))")
            }
            received += buffer[0..<count]
        }
    }
}
