# mailmon: `make run` starts it, `make test` runs the tests, `make bench` the benchmarks.
SWIFT ?= swift
SCRIPTS ?= scripts
PREFIX ?= /usr/local
# Debian packages building and running need, and what the tests add (their real peers: Dovecot,
# Prometheus and promtool, Chromium and chromedriver for the dashboard); installed when missing (as root).
PACKAGES := pkg-config liblua5.4-dev libsqlite3-dev
TEST_PACKAGES := $(PACKAGES) python3 python3-venv openssl dovecot-imapd dovecot-pop3d prometheus chromium chromium-driver

.PHONY: deps test-deps build run test fuzz bench install

deps:
	@tools/ensure-packages.sh $(PACKAGES)

test-deps:
	@tools/ensure-packages.sh $(TEST_PACKAGES)

build: deps
	$(SWIFT) build

run: build
	$(SWIFT) run mailmon scripts check $(SCRIPTS)
	$(SWIFT) run mailmon run --scripts $(SCRIPTS)

test: test-deps
	python3 tools/check-imports.py
	$(SWIFT) test
	python3 tools/api_fuzz.py "$$($(SWIFT) build --show-bin-path)/mailmon"
	python3 tools/browser_test.py "$$($(SWIFT) build --show-bin-path)/mailmon"

# schemathesis with every check (positive_data_acceptance and negative_data_rejection too) and many more examples.
fuzz: test-deps
	$(SWIFT) build --product mailmon
	python3 tools/api_fuzz.py "$$($(SWIFT) build --show-bin-path)/mailmon" --examples 300

# A release build to $(DESTDIR)$(PREFIX)/bin, the shipped scripts to $(PREFIX)/share/mailmon/scripts
# (where the binary looks when no --scripts is given), a sample config and the systemd unit beside them.
install: deps
	$(SWIFT) build -c release --product mailmon
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/mailmon/scripts
	install -m 0755 "$$($(SWIFT) build -c release --show-bin-path)/mailmon" $(DESTDIR)$(PREFIX)/bin/mailmon
	rm -rf $(DESTDIR)$(PREFIX)/share/mailmon/scripts && install -d $(DESTDIR)$(PREFIX)/share/mailmon/scripts
	cp -R scripts/. $(DESTDIR)$(PREFIX)/share/mailmon/scripts/
	install -m 0644 examples/config/mailmon.json $(DESTDIR)$(PREFIX)/share/mailmon/mailmon.sample.json
	install -m 0644 examples/systemd/mailmon.service $(DESTDIR)$(PREFIX)/share/mailmon/mailmon.service
	install -m 0644 docs/operations.md $(DESTDIR)$(PREFIX)/share/mailmon/operations.md
	@echo "installed $(DESTDIR)$(PREFIX)/bin/mailmon; next steps: docs/operations.md, 'Installing on a fresh Debian host'"

bench: test-deps
	@tools/ensure-packages.sh python3 wrk
	$(SWIFT) run -c release LuaHostBenchmark
	$(SWIFT) run -c release ProbeBenchmark
	$(SWIFT) run -c release APIBenchmark
	$(SWIFT) run -c release WorkerBenchmark
	WORKER_BENCH_MONITORS=1000 WORKER_BENCH_OAUTH_ACCOUNTS=10 WORKER_BENCH_SECONDS=120 $(SWIFT) run -c release WorkerBenchmark
