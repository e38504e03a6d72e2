# Tradehub's single entry point. The README names two commands: `make run` and `make test`.

GO      ?= go
NPM     ?= npm
# A count, not a duration, in make test: with a duration, a package whose TestMain starts the
# embedded store can use up the deadline before its workers are ready, and go test then fails
# with "context deadline exceeded". For long runs: make fuzz FUZZTIME=5m.
FUZZTIME ?= 2000x

# make run: development mode with demo data on the embedded store; every TRADEHUB_* variable
# set in the environment wins over these defaults.
export TRADEHUB_ENV        ?= development
export TRADEHUB_DEMO       ?= 1
export TRADEHUB_LOG_FORMAT ?= text
export TRADEHUB_INTROSPECTION ?= all

WEB_SOURCES := $(shell find web/src web/public web/plugins -type f 2>/dev/null) web/index.html web/graphiql.html web/vite.config.ts web/tsconfig.json web/tsconfig.node.json $(wildcard schema/*.graphqls)

.PHONY: run build web test test-go test-web e2e fuzz generate check-generated lint clean loadtest bench

## run: build the portal and the server, start Tradehub with demo data, print its URLs
run: build
	exec ./bin/tradehub serve

## build: the portal (embedded) and the binary in bin/tradehub
build: web
	$(GO) build -o bin/tradehub ./cmd/tradehub

## web: install the portal's packages when the lock file changed, and build it into web/dist
web: web/dist/index.html

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && $(NPM) ci --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && $(NPM) run build

## test: every Go test, short fuzz runs, the portal's unit tests and its browser tests
test: build test-go fuzz test-web e2e

test-go:
	$(GO) test -count=1 -timeout 15m ./...

test-web: web/node_modules/.package-lock.json
	cd web && $(NPM) run typecheck && $(NPM) test

## e2e: headless Chromium against the real binary (needs /usr/bin/chromium or CHROMIUM_PATH)
e2e: build
	cd web && TRADEHUB_BIN=$(CURDIR)/bin/tradehub $(NPM) run e2e

## fuzz: run every Go fuzz target for FUZZTIME (2000 executions in make test; e.g. FUZZTIME=5m)
fuzz:
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' . | grep -v node_modules); do \
	  pkg=./$$(dirname $$f); \
	  for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | cut -d' ' -f2); do \
	    echo "fuzz $$pkg $$t ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$t\$$" -fuzztime=$(FUZZTIME) $$pkg >/tmp/tradehub-fuzz.log 2>&1 || { cat /tmp/tradehub-fuzz.log; exit 1; }; \
	    tail -n 3 /tmp/tradehub-fuzz.log | grep -E '^(ok|fuzz: elapsed)' | tail -n 1; \
	  done; \
	done

## loadtest: load without loss (docs/RELIABILITY.md): mixed reads and writes from three sellers
## against the real binary, SIGTERM and restart at half time; every acknowledged write must be
## there after it, no request cut, memory flat. Not part of make test. LOADTEST_FLAGS="-duration 5m"
LOADTEST_FLAGS ?= -duration 2m -clients 8
loadtest:
	$(GO) run ./cmd/loadtest $(LOADTEST_FLAGS)

## bench: the benchmark harness (docs/PERFORMANCE.md): seeds a fixed data set, drives the
## representative queries through the real binary and the same reads as direct store calls (the
## floor), prints throughput, latency percentiles, round trips, allocations and ratios.
## BENCH_FLAGS="-scale 5 -time 20s" for a bigger run.
BENCH_FLAGS ?=
bench:
	$(GO) run ./cmd/bench -out bench-results.md $(BENCH_FLAGS)

## generate: regenerate the GraphQL code from schema/: gqlgen for Go, graphql-codegen for the portal
generate: web/node_modules/.package-lock.json
	$(GO) generate ./...
	cd web && $(NPM) run codegen

## check-generated: fail when generated code is stale (CI)
check-generated: generate
	@git diff --exit-code -- graph web/src || { echo "generated code is stale: run make generate and commit"; exit 1; }

## lint: gofmt and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin web/dist/assets web/dist/*.html web/dist/*.svg
