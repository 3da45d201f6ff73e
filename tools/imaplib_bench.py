#!/usr/bin/env python3
"""Baseline benchmark: IMAPS LOGIN + SELECT INBOX + LOGOUT with Python's imaplib.

Runs COUNT checks spread over THREADS threads against an IMAPS (implicit TLS)
server and prints one JSON line followed by one human-readable line. Certificate
verification is OFF (test servers use self-signed certs) unless --cafile is given:
then the chain is verified against the system roots plus that PEM bundle, and the
host name (or IP address) against the certificate.

  checks/s          = successful checks / wall-clock seconds of the run
  cpu ms per check  = (user + sys CPU of this Python process over the run,
                       from os.times()) / successful checks

Stdlib only. Example (throwaway Dovecot from /work/notes/dovecot-recipe.md):

  python3 tools/imaplib_bench.py --port 31451 --user alice --password secret \
      --threads 16 --count 2000 [--cafile ca.pem]

`make bench` (Benchmarks/ProbeBenchmark) runs it beside mailmon's own probe.

The password may also come from the IMAP_BENCH_PASSWORD environment variable.
Exit status: 0 if every check succeeded, 1 if any failed, 2 on bad arguments.
"""

import argparse
import imaplib
import json
import os
import platform
import socket
import ssl
import sys
import threading
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=993)
    p.add_argument("--user", required=True)
    p.add_argument("--password", default=os.environ.get("IMAP_BENCH_PASSWORD"),
                   help="default: $IMAP_BENCH_PASSWORD")
    p.add_argument("--threads", type=int, default=16)
    p.add_argument("--count", type=int, default=1000,
                   help="total number of checks (default 1000)")
    p.add_argument("--warmup", type=int, default=0,
                   help="untimed checks run before the measurement (default 0)")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="socket timeout per connection in seconds")
    p.add_argument("--mailbox", default="INBOX")
    p.add_argument("--cafile", default=None,
                   help="verify the certificate: system roots plus this PEM bundle, "
                        "and the host name or IP (default: no verification)")
    a = p.parse_args(argv)
    if a.password is None:
        p.error("--password or IMAP_BENCH_PASSWORD is required")
    if a.threads < 1 or a.count < 1 or a.warmup < 0:
        p.error("--threads and --count must be >= 1, --warmup >= 0")
    return a


def make_context(cafile):
    ctx = ssl.create_default_context()  # system roots, CERT_REQUIRED, check_hostname
    if cafile:
        ctx.load_verify_locations(cafile=cafile)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def imap_password_arg(password):
    """LOGIN argument: quoted string if it is plain ASCII, else None (use a literal)."""
    if all(0x20 <= ord(c) < 0x7f for c in password):
        return '"' + password.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return None


def one_check(a, ctx):
    """One full check. Returns None on success or raises."""
    m = imaplib.IMAP4_SSL(a.host, a.port, ssl_context=ctx, timeout=a.timeout)
    try:
        quoted = imap_password_arg(a.password)
        if quoted is not None:
            typ, data = m.login(a.user, a.password)
        else:
            # imaplib encodes command lines as ASCII; send 8-bit passwords as a literal.
            m.literal = a.password.encode("utf-8")
            typ, data = m._simple_command("LOGIN", m._quote(a.user))
            if typ == "OK":
                m.state = "AUTH"
        if typ != "OK":
            raise imaplib.IMAP4.error(f"LOGIN {typ} {data!r}")
        typ, data = m.select(a.mailbox)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"SELECT {typ} {data!r}")
    finally:
        try:
            m.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def run(a, ctx, total, record):
    lock = threading.Lock()
    state = {"next": 0, "ok": 0, "err": 0}
    latencies = []
    errors = {}

    def worker():
        while True:
            with lock:
                if state["next"] >= total:
                    return
                state["next"] += 1
            t0 = time.perf_counter()
            try:
                one_check(a, ctx)
                dt = time.perf_counter() - t0
                with lock:
                    state["ok"] += 1
                    if record:
                        latencies.append(dt)
            except (OSError, ssl.SSLError, imaplib.IMAP4.error, EOFError) as e:
                key = f"{type(e).__name__}: {e}"[:200]
                with lock:
                    state["err"] += 1
                    errors[key] = errors.get(key, 0) + 1

    threads = [threading.Thread(target=worker, daemon=True)
               for _ in range(min(a.threads, total))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return state["ok"], state["err"], latencies, errors


def pct(sorted_vals, q):
    if not sorted_vals:
        return None
    i = min(len(sorted_vals) - 1, max(0, int(round(q * (len(sorted_vals) - 1)))))
    return sorted_vals[i]


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    ctx = make_context(a.cafile)

    if a.warmup:
        run(a, ctx, a.warmup, record=False)

    c0 = os.times()
    w0 = time.perf_counter()
    ok, err, lat, errors = run(a, ctx, a.count, record=True)
    elapsed = time.perf_counter() - w0
    c1 = os.times()

    cpu_user = c1.user - c0.user
    cpu_sys = c1.system - c0.system
    lat.sort()
    ms = lambda v: None if v is None else round(v * 1000, 2)
    result = {
        "tool": "imaplib_bench",
        "host": a.host,
        "port": a.port,
        "threads": a.threads,
        "count": a.count,
        "warmup": a.warmup,
        "verify": bool(a.cafile),
        "ok": ok,
        "errors": err,
        "elapsed_s": round(elapsed, 4),
        "checks_per_s": round(ok / elapsed, 2) if elapsed > 0 else None,
        "cpu_user_s": round(cpu_user, 3),
        "cpu_sys_s": round(cpu_sys, 3),
        "cpu_ms_per_check": round((cpu_user + cpu_sys) * 1000 / ok, 3) if ok else None,
        "latency_ms": {"p50": ms(pct(lat, 0.50)), "p95": ms(pct(lat, 0.95)),
                       "p99": ms(pct(lat, 0.99)), "max": ms(lat[-1] if lat else None)},
        "error_samples": dict(sorted(errors.items(), key=lambda kv: -kv[1])[:5]),
        "python": platform.python_version(),
        "openssl": ssl.OPENSSL_VERSION,
        "cpus": os.cpu_count(),
        "hostname": socket.gethostname(),
    }
    print(json.dumps(result, sort_keys=False), flush=True)
    print(f"imaplib_bench: {ok}/{a.count} ok, {err} errors in {elapsed:.2f}s with "
          f"{a.threads} threads -> {result['checks_per_s']} checks/s, "
          f"client CPU {result['cpu_ms_per_check']} ms/check "
          f"(user {cpu_user:.2f}s + sys {cpu_sys:.2f}s), "
          f"latency p50 {result['latency_ms']['p50']} ms / p95 {result['latency_ms']['p95']} ms",
          flush=True)
    return 0 if err == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
