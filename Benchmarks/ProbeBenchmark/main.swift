// make bench: IMAPS LOGIN + SELECT INBOX + LOGOUT against a throwaway local Dovecot:
// checks/s and client CPU ms/check (getrusage user+sys over the run) of mailmon's
// ImapProbe at concurrency 1 and 64, beside Python's imaplib (tools/imaplib_bench.py,
// 16 threads) doing the same work against the same server in the same run.
import Dispatch
import Foundation
import MailProbe
import MailmonTestSupport

let options: Options
do {
    options = try Options.parse(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
} catch let error as UsageError {
    if let message = error.message { FileHandle.standardError.write(Data("ProbeBenchmark: \(message)\n".utf8)) }
    print(Options.usage)
    exit(error.message == nil ? 0 : 2)
}

/// Stops the Dovecot and removes its directory and the test certificates (exit() skips deinit).
nonisolated func cleanUp(_ server: DovecotServer?) {
    guard let server else { return }
    server.stop()
    try? FileManager.default.removeItem(atPath: server.directory)
    try? FileManager.default.removeItem(atPath: server.certificates.directory)
}

// An external server (--port/--ca-file) keeps perf/strace of this process free of Dovecot's children.
let dovecot = options.external == nil ? try DovecotServer.start(certificate: .valid) : nil
let server =
    options.external
    ?? BenchServer(port: dovecot!.ports.imaps, caFile: dovecot!.certificates.caFile, dovecotPID: dovecot!.masterPID)

// Ctrl-C must not leave the Dovecot behind.
let signalSources = [SIGINT, SIGTERM].map { number in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler {
        cleanUp(dovecot)
        exit(130)
    }
    source.resume()
    return source
}

if let seconds = options.serveSeconds {
    let text = """
        Dovecot up for \(seconds) s; run the benchmark against it with
          --port \(server.port) --ca-file \(server.caFile) --dovecot-pid \(server.dovecotPID.map(String.init) ?? "0")

        """
    FileHandle.standardOutput.write(Data(text.utf8))
    sleep(UInt32(seconds))
    cleanUp(dovecot)
    exit(0)
}

let passed: Bool
do {
    passed = try await runBenchmark(options, server: server)
} catch {
    print("ProbeBenchmark: \(error)")
    passed = false
}
cleanUp(dovecot)
exit(passed ? 0 : 1)
