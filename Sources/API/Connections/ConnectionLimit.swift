import HummingbirdCore
import Logging
import NIOCore

/// At most `maximum` open connections. At the limit, the connection that has waited longest
/// for a request head is closed to make room (so a flood of silent connections cannot keep
/// `/health` out); with none waiting, accepting pauses until one closes. Logs when reached.
struct ConnectionLimit: AvailableConnectionsDelegate {
    let maximum: Int
    let waiting: WaitingConnections
    let logger: Logger
    private var open = 0
    private var lastWarning: NIODeadline?

    init(maximum: Int, waiting: WaitingConnections, logger: Logger) {
        self.maximum = maximum
        self.waiting = waiting
        self.logger = logger
    }

    mutating func connectionOpened() {
        open += 1
        // Past the limit, each accepted connection closes one that waits for a head (NIO accepts
        // several per read, so making room once per read would let the count run past the limit).
        if open > maximum { _ = waiting.closeOldest() }
        guard open >= maximum else { return }
        let now = NIODeadline.now()
        if lastWarning.map({ now - $0 > .seconds(60) }) ?? true {
            lastWarning = now
            logger.warning(
                "connection limit reached: closing the connections that wait longest for a request, or pausing accepts",
                metadata: ["limit": "\(maximum)", "waitingForRequest": "\(waiting.count)"])
        }
    }

    mutating func connectionClosed() { open -= 1 }

    func isAcceptingNewConnections() -> Bool {
        open < maximum || waiting.count > 0
    }
}
