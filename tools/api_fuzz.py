#!/usr/bin/env python3
"""Runs schemathesis against a live `mailmon run` with an admin token: every operation of
docs/openapi.yaml, generated requests checked for 5xx, responses that break their schema,
undocumented status codes and content types, wrong answers to undeclared methods and to
missing or invalid authentication. `make test` runs a bounded pass; `make fuzz` a long one.

Usage: api_fuzz.py MAILMON_BINARY [--examples N] [--phases coverage,fuzzing,stateful] [--seed S]
Installs schemathesis into .build/fuzz-venv on first use. Exit 0 when no check fails.

Every check runs, `positive_data_acceptance` and `negative_data_rejection` included: the schema
states what the policies accept (name and hostname patterns, the country codes, nullable fields),
so a schema-valid request refused, or a schema-violating one accepted, is a finding. The two
exceptions, each with its reason, are in tools/schemathesis.toml."""
import argparse, os, re, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, ".build", "fuzz-venv")
SCHEMATHESIS_VERSION = "4.32.5"


def schemathesis():
    binary = os.path.join(VENV, "bin", "schemathesis")
    if not os.path.exists(binary):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
        subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", f"schemathesis=={SCHEMATHESIS_VERSION}"], check=True)
    return binary


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mailmon")
    parser.add_argument("--examples", type=int, default=15)
    parser.add_argument("--phases", default="coverage,fuzzing,stateful")
    parser.add_argument("--seed", default="1")
    args = parser.parse_args()
    st = schemathesis()
    args.mailmon = os.path.abspath(args.mailmon)
    work = tempfile.mkdtemp(prefix="mm-fuzz-")
    shutil.copytree(os.path.join(ROOT, "scripts"), os.path.join(work, "scripts"))
    port = free_port()
    out = open(os.path.join(work, "mailmon.out"), "w")
    err = open(os.path.join(work, "mailmon.err"), "w")
    # Invalid tokens are part of the checks: the address limit is raised so they meet 401, not 429.
    env = dict(os.environ, MAILMON_AUTH_FAILURE_LIMIT="1000000")
    server = subprocess.Popen(
        [args.mailmon, "run", "--database", os.path.join(work, "mailmon.sqlite"), "--scripts", os.path.join(work, "scripts"),
         "--port", str(port)], stdout=out, stderr=err, cwd=work, env=env)
    try:
        token = None
        for _ in range(600):
            text = open(os.path.join(work, "mailmon.out")).read()
            found = re.search(r"\b(mm_[A-Za-z0-9_-]{40})\b", text)
            if found:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    token = found.group(1)
                    break
                except OSError:
                    pass
            if server.poll() is not None:
                break
            time.sleep(0.1)
        if token is None:
            print("mailmon did not start:\n" + open(os.path.join(work, "mailmon.err")).read())
            return 2
        command = [
            st, "--config-file", os.path.join(ROOT, "tools", "schemathesis.toml"), "run", os.path.join(ROOT, "docs", "openapi.yaml"), "--url", f"http://127.0.0.1:{port}",
            "-H", f"Authorization: Bearer {token}", "--checks", "all", "--max-examples", str(args.examples),
            "--workers", "2", "--no-color", "--phases", args.phases, "--seed", args.seed, "--request-timeout", "30",
            "--generation-database", "none",
        ]
        started = time.time()
        result = subprocess.run(command, cwd=work)
        print(f"schemathesis: exit {result.returncode} after {time.time() - started:.1f} s")
        if server.poll() is not None:
            print("mailmon died during the run:\n" + open(os.path.join(work, "mailmon.err")).read()[-4000:])
            return 1
        return result.returncode
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
