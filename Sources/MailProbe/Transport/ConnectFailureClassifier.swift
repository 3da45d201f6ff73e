import Foundation
import NIOCore
import NIOPosix

/// Classifies what `ClientBootstrap.connect` throws. Shared by the probes and the alert SMTP client.
public enum ConnectFailureClassifier {
    public static func classify(_ error: any Error, host: String, port: Int, timeout: Duration) -> ProbeFailure {
        switch error {
        case ChannelError.connectTimeout:
            return ProbeFailure(.connectTimeout, "no TCP connection to \(host):\(port) within \(timeout)")
        case let error as NIOConnectionError:
            if error.connectionErrors.isEmpty, error.dnsAError != nil || error.dnsAAAAError != nil {
                return ProbeFailure(.dns, "cannot resolve \(host)")
            }
            let codes = error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            if codes.contains(ECONNREFUSED) { return ProbeFailure(.connectRefused, "connection refused by \(host):\(port)") }
            if codes.contains(ETIMEDOUT) { return ProbeFailure(.connectTimeout, "TCP connect to \(host):\(port) timed out") }
            if let first = error.connectionErrors.first {
                return ProbeFailure(.connectRefused, "cannot connect to \(host):\(port): \(first.error)")
            }
            return ProbeFailure(.connectRefused, "cannot connect to \(host):\(port)")
        // IP literals are connected to directly, so their errors arrive unwrapped.
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return ProbeFailure(.connectRefused, "connection refused by \(host):\(port)")
        case let error as IOError where error.errnoCode == ETIMEDOUT:
            return ProbeFailure(.connectTimeout, "TCP connect to \(host):\(port) timed out")
        case let error as SocketAddressError:
            return ProbeFailure(.dns, "cannot resolve \(host): \(error)")
        default:
            return ProbeFailure(.connectRefused, "cannot connect to \(host):\(port): \(error)")
        }
    }
}
