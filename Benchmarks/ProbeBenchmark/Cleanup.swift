import Dispatch
import Foundation
import MailmonTestSupport
import Synchronization

/// Stops the Dovecot and removes its directory and the test certificates, once, whichever of
/// the main code and a signal handler gets there first; the other waits until it is done.
/// (exit() skips deinit, so nothing else would.)
final class Cleanup: Sendable {
    private let server: DovecotServer?
    private let done = Mutex(false)

    init(_ server: DovecotServer?) { self.server = server }

    func run() {
        done.withLock { done in
            guard !done else { return }
            done = true
            guard let server else { return }
            server.stop()
            try? FileManager.default.removeItem(atPath: server.directory)
            try? FileManager.default.removeItem(atPath: server.certificates.directory)
        }
    }

    /// Ctrl-C or a kill must not leave the Dovecot behind; keep the sources alive. (Here, not in
    /// top-level code: a handler made there is main-actor code and traps on a dispatch queue.)
    func onSignals(_ numbers: [Int32]) -> [any DispatchSourceSignal] {
        numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                run()
                exit(128 + number)
            }
            source.resume()
            return source
        }
    }
}
