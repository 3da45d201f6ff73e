# mailmon: `make run` starts it, `make test` runs the tests, `make bench` the benchmarks.
SWIFT ?= swift
SCRIPTS ?= scripts
# Debian packages the build and the tests need; installed when missing (as root).
PACKAGES := pkg-config liblua5.4-dev libsqlite3-dev openssl dovecot-imapd dovecot-pop3d

.PHONY: deps build run test bench clean-data

deps:
	@tools/ensure-packages.sh $(PACKAGES)

build: deps
	$(SWIFT) build

run: build
	$(SWIFT) run mailmon scripts check $(SCRIPTS)
	$(SWIFT) run mailmon run --scripts $(SCRIPTS)

test: deps
	python3 tools/check-imports.py
	$(SWIFT) test

bench: deps
	@tools/ensure-packages.sh python3 wrk
	$(SWIFT) run -c release LuaHostBenchmark
	$(SWIFT) run -c release ProbeBenchmark
	$(SWIFT) run -c release APIBenchmark
	$(SWIFT) run -c release WorkerBenchmark
