// make bench: the REST API under wrk at 64 connections on this machine: GET /health (the
// trivial baseline of the same server), GET /api/imap-pop-monitors?perPage=50 with 10,000
// monitors in the database, the dashboard's fleet page (a signed-in session, 50 monitors a page)
// and a customer's status page beside it, and POST /api/imap-pop-monitors (the seed's body, decided by the
// shipped Lua policy, written in a transaction). Requests/s and p50/p99 latency per route, the
// server's CPU per request; the bar (create ≥ 1,500 req/s with p99 ≤ 25 ms, list ≥ 2,000 req/s)
// is reported as PASS/FAIL. Exit status 1 if wrk saw errors or non-2xx answers.
import App
import Engine
import Foundation

let environment = ProcessInfo.processInfo.environment
// As `mailmon serve` does; API_BENCH_HEAP_RETENTION=0 leaves glibc's trimming on, for comparison.
if environment["API_BENCH_HEAP_RETENTION"] != "0" { HeapRetention.apply(environment: environment) }
let seconds = environment["API_BENCH_SECONDS"].flatMap(Int.init) ?? 10
let connections = environment["API_BENCH_CONNECTIONS"].flatMap(Int.init) ?? 64
let seedCount = environment["API_BENCH_MONITORS"].flatMap(Int.init) ?? 10_000

guard let wrk = Wrk.locate() else {
    print("APIBenchmark: wrk is not installed (apt-get install wrk; `make bench` installs it as root)")
    exit(2)
}
let server = try await ServerUnderTest.start(scriptsDirectory: environment["MAILMON_SCRIPTS"] ?? "scripts")
defer { server.removeFiles() }
print("APIBenchmark: seeding \(seedCount) monitors …")
let seeded = try await server.seed(monitors: seedCount)
print(String(format: "  %d monitors in %.1f s through MonitorService (Lua policy + insert)", seedCount, seeded))
try await server.seedStatusPage(slug: "bench-status", monitors: 20)
let cookie = try server.dashboardCookie()
print("  and a customer with 20 monitors and a status page; a dashboard session for the fleet page")
print("  wrk: \(connections) connections, 2 threads, \(seconds) s per route after a 2 s warm-up; server and wrk share the 2 cores\n")

let allRoutes: [WrkRoute] = [
    WrkRoute(name: "GET /health (baseline)", path: "/health", method: "GET", body: nil),
    WrkRoute(name: "GET list perPage=50", path: "/api/imap-pop-monitors?perPage=50", method: "GET", body: nil),
    WrkRoute(name: "GET list search=box", path: "/api/imap-pop-monitors?perPage=50&search=box", method: "GET", body: nil),
    WrkRoute(name: "GET fleet page (dashboard)", path: "/", method: "GET", body: nil, cookie: cookie, connections: 2),
    WrkRoute(name: "GET status page (20 monitors)", path: "/status/bench-status", method: "GET", body: nil),
    WrkRoute(name: "POST create", path: "/api/imap-pop-monitors", method: "POST", body: ServerUnderTest.createBody),
]
// API_BENCH_ONLY=list runs only the routes whose name contains it (for profiling);
// API_BENCH_ONLY=search,create runs those whose name contains any of the comma-separated parts.
let only = environment["API_BENCH_ONLY"].map { $0.split(separator: ",").map(String.init) }
let routes = allRoutes.filter { route in only.map { $0.contains { route.name.contains($0) } } ?? true }
var results: [String: WrkResult] = [:]
var steals: [String: Double] = [:]
var clean = true
print(Report.header)
// The fleet page is a page a person opens: measured at 2 connections (one per wrk thread), its server time.
for route in routes {
    _ = try wrk.run(route, server: server, connections: connections, seconds: 2)
    let cpuBefore = ProcessCPU.seconds()
    let steal = StealCounter()
    let result = try wrk.run(route, server: server, connections: connections, seconds: seconds)
    let cpu = ProcessCPU.seconds() - cpuBefore
    let stolen = steal.percentSince()
    results[route.name] = result
    steals[route.name] = stolen
    clean = clean && result.errors == 0 && result.non2xx == 0
    print(Report.row(route.name, result, serverCPUSeconds: cpu, stealPercent: stolen))
}
let monitorsAfter = try await server.monitorCount()
print("\n  monitors in the database after the run: \(monitorsAfter)")

let create = results["POST create"] ?? WrkResult(), list = results["GET list perPage=50"] ?? WrkResult()
let fleet = results["GET fleet page (dashboard)"] ?? WrkResult()
let createPasses = create.requestsPerSecond >= 1_500 && create.p99Milliseconds <= 25
let listPasses = list.requestsPerSecond >= 2_000
print(String(format: "\nbar: create ≥ 1,500 req/s with p99 ≤ 25 ms: %.0f req/s, p99 %.1f ms: %@", create.requestsPerSecond,
             create.p99Milliseconds, createPasses ? "PASS" : "FAIL"))
print(String(format: "bar: list (%d monitors, perPage 50) ≥ 2,000 req/s: %.0f req/s: %@", seedCount, list.requestsPerSecond,
             listPasses ? "PASS" : "FAIL"))
if results["GET fleet page (dashboard)"] != nil {
    print(String(format: "bar: fleet page (%d monitors, 50 a page) under 200 ms: p50 %.1f ms, p99 %.1f ms at 2 connections: %@", seedCount,
                 fleet.p50Milliseconds, fleet.p99Milliseconds, fleet.p99Milliseconds < 200 ? "PASS" : "FAIL"))
}
if let stolen = steals.filter({ $0.value >= 5 }).max(by: { $0.value < $1.value }) {
    print(String(format: "note: the hypervisor took %.0f%% of the CPU during %@ (steal): figures of such a run measure the host, not mailmon",
                 stolen.value, stolen.key))
}
if !clean { print("APIBenchmark: wrk saw socket errors or non-2xx answers (see the table)") }
server.removeFiles()
exit(clean ? 0 : 1)
