// make bench: the worker at scale. 20,000 IMAP monitors at a 1-minute interval (333 checks/s)
// created at once against a trivial local IMAP responder (TinyImapServer), run by the real
// scheduler, executor, post-check hook (Lua) and result writes on an embedded SQLite file, for
// WORKER_BENCH_SECONDS (default 180). Reports start lateness (check start − due time) p50/p99/max,
// checks per second and the worker's CPU and RSS, for the first minute (first runs being spread)
// and the steady state after it. Bar: p99 lateness ≤ 1 s, RSS ≤ 250 MB. Exit 1 if a check failed.
//
// WORKER_BENCH_OAUTH_ACCOUNTS=N: the monitors log in with OAuth2 instead (XOAUTH2), spread over N
// accounts of a local token endpoint (MailmonTestSupport.OAuthServer) whose tokens live
// WORKER_BENCH_TOKEN_SECONDS (default 60). Reports token requests per minute beside checks per
// minute. Bar: at most one token request per account per token lifetime (rounded up, plus the first).
import App
import SQLiteStore
import Engine
import Foundation
import Logging
import MailmonTestSupport

let environment = ProcessInfo.processInfo.environment
HeapRetention.apply(environment: environment)  // as `mailmon worker` does
let monitorCount = environment["WORKER_BENCH_MONITORS"].flatMap(Int.init) ?? 20_000
let seconds = environment["WORKER_BENCH_SECONDS"].flatMap(Double.init) ?? 180
let scripts = environment["MAILMON_SCRIPTS"] ?? "scripts"

let imap = try await TinyImapServer.start()
let accounts = environment["WORKER_BENCH_OAUTH_ACCOUNTS"].flatMap(Int.init) ?? 0
let tokenSeconds = environment["WORKER_BENCH_TOKEN_SECONDS"].flatMap(Int.init) ?? 60
var oauthServer: OAuthServer?
var oauth: (endpoint: String, refreshTokens: [String])?
if accounts > 0 {
    let server = try await OAuthServer.start()
    server.setExpiresIn(tokenSeconds)
    let tokens = (0..<accounts).map { "bench-refresh-\($0)" }
    for (index, token) in tokens.enumerated() { server.addRefreshToken(token, user: "account\(index)", rotate: false) }
    oauthServer = server
    oauth = (server.tokenURL, tokens)
}
let fleet = try await MonitorFleet.create(count: monitorCount, imapPort: imap.port, scriptsDirectory: scripts, oauth: oauth)
defer { fleet.removeFiles() }
print(String(format: "WorkerBenchmark: %d monitors (interval 1 min) created in %.1f s; running the worker for %.0f s …",
             monitorCount, fleet.creationSeconds, seconds))

var settings = WorkerSettings(workerId: "bench")
settings.concurrency = environment["WORKER_BENCH_CONCURRENCY"].flatMap(Int.init) ?? settings.concurrency
let sampler = ResourceSampler()
let startedAt = Date()
let cpuAtStart = ResourceSampler.cpuSeconds()
let worker = Task { try await fleet.runtime.scheduler(settings: settings).run() }
let checkpointer = Task { try await fleet.runtime.walCheckpointer().run() }  // as `mailmon worker` runs it
try await sampler.sample(every: .seconds(1), for: .seconds(seconds))
worker.cancel()
checkpointer.cancel()
_ = await worker.result
let cpu = ResourceSampler.cpuSeconds() - cpuAtStart

let checks = try fleet.checks(since: startedAt)
let report = LatenessReport(checks: checks, start: startedAt, seconds: seconds)
print(report.table(cpuSeconds: cpu, peakRSS: sampler.peakRSSMegabytes, finalRSS: ResourceSampler.rssMegabytes()))
let steady = report.steady
let latenessPasses = (steady?.p99 ?? .infinity) <= 1.0
let memoryPasses = sampler.peakRSSMegabytes <= 250
print(String(format: "\nbar: p99 lateness ≤ 1 s (steady state): %.3f s: %@", steady?.p99 ?? .nan, latenessPasses ? "PASS" : "FAIL"))
print(String(format: "bar: RSS ≤ 250 MB: peak %.0f MB: %@", sampler.peakRSSMegabytes, memoryPasses ? "PASS" : "FAIL"))
var oauthPasses = true
if let oauthServer {
    let requests = oauthServer.tokenRequests
    let minutes = seconds / 60
    // A token is used until 10 % (at most a minute) before it expires: that many refreshes per account, plus the first.
    let usable = Double(tokenSeconds) - min(60, Double(tokenSeconds) * 0.1)
    let allowed = accounts * (Int((seconds / usable).rounded(.up)) + 1)
    oauthPasses = requests <= allowed
    print(String(format: "\nOAuth2: %d monitors on %d accounts, tokens living %d s: %d token requests in %.0f s (%.1f/min) beside %d checks (%.0f/min)",
                 monitorCount, accounts, tokenSeconds, requests, seconds, Double(requests) / minutes, checks.count, Double(checks.count) / minutes))
    print("bar: at most one token request per account per token lifetime (≤ \(allowed)): \(requests): \(oauthPasses ? "PASS" : "FAIL")")
}
let failed = checks.filter { !$0.ok }
if !failed.isEmpty { print("WorkerBenchmark: \(failed.count) check(s) failed, first: \(failed[0].category ?? "?")") }
fleet.removeFiles()
exit(failed.isEmpty && oauthPasses ? 0 : 1)
