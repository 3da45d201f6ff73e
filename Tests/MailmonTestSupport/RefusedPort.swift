import Foundation
import Synchronization

/// A port on 127.0.0.1 that refuses connections for as long as it is held, for tests that
/// expect nothing to listen. (A port from `FreePorts.take` is closed again, so under parallel
/// tests another test's listener can take it in between, and a connection then hangs.)
///
/// The socket is bound to 127.0.0.1 with a port the kernel picks and never listens: a SYN to
/// it gets a RST (ECONNREFUSED), as for a closed port. It is bound without SO_REUSEADDR (nor
/// SO_REUSEPORT), so while it is held no other socket can bind the port (EADDRINUSE; Linux lets
/// two sockets share a port only if both set SO_REUSEADDR and neither listens), and the kernel
/// does not hand it out for port 0. Hold it for the whole test: `defer { refused.close() }`.
public final class RefusedPort: Sendable {
    public let port: Int
    private let descriptor: Mutex<Int32?>

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket failed: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let error = errno
            closeDescriptor(fd)
            throw TestSupportError("bind failed: \(error)")
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else {
            let error = errno
            closeDescriptor(fd)
            throw TestSupportError("getsockname failed: \(error)")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        descriptor = Mutex(fd)
    }

    /// Releases the port (idempotent); after this something else may bind it.
    public func close() {
        let fd = descriptor.withLock { fd in
            let taken = fd
            fd = nil
            return taken
        }
        if let fd { closeDescriptor(fd) }
    }

    /// Starts listening on the held socket and hands it over (to a server that adopts a bound,
    /// listening socket): the port goes from refusing to accepting without ever being free.
    public func listenAndHandOver() throws -> Int32 {
        let fd = descriptor.withLock { fd in
            let taken = fd
            fd = nil
            return taken
        }
        guard let fd else { throw TestSupportError("the port \(port) was already released") }
        guard listen(fd, 128) == 0 else { throw TestSupportError("listen on \(port) failed: errno \(errno)") }
        return fd
    }

    deinit { close() }
}

/// At file scope, so that `close` is the system call, not `RefusedPort.close()`.
private func closeDescriptor(_ fd: Int32) { _ = close(fd) }
