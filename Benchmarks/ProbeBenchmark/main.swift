// make bench: IMAPS LOGIN + SELECT INBOX + LOGOUT against a throwaway local Dovecot:
// checks/s and client CPU ms/check (getrusage user+sys over the run) of mailmon's
// ImapProbe at concurrency 1 and 64, beside Python's imaplib (tools/imaplib_bench.py,
// 16 threads) doing the same work against the same server in the same run. Exit status 1 if
// any check failed; the bar (client CPU ≤ 0.5 ms/check) is reported as PASS/FAIL.
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

// An external server (--port/--ca-file) keeps perf/strace of this process free of Dovecot's children.
let dovecot = options.external == nil ? try DovecotServer.start(certificate: .valid) : nil
let server =
    options.external
    ?? BenchServer(port: dovecot!.ports.imaps, caFile: dovecot!.certificates.caFile, dovecotPID: dovecot!.masterPID)
let cleanup = Cleanup(dovecot)

let signalSources = cleanup.onSignals([SIGINT, SIGTERM])

if let seconds = options.serveSeconds {
    let text = """
        Dovecot up for \(seconds) s; run the benchmark against it with
          --port \(server.port) --ca-file \(server.caFile) --dovecot-pid \(server.dovecotPID.map(String.init) ?? "0")

        """
    FileHandle.standardOutput.write(Data(text.utf8))
    _ = DispatchSemaphore(value: 0).wait(timeout: .now() + .seconds(seconds))
    cleanup.run()
    exit(0)
}

let passed: Bool
do {
    passed = try await runBenchmark(options, server: server)
} catch {
    print("ProbeBenchmark: \(error)")
    passed = false
}
cleanup.run()
exit(passed ? 0 : 1)
