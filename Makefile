# linkwork: the two commands a new machine needs are `make run` and `make test`.

GO      ?= go
BIN     := bin/linkwork
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.Version=$(VERSION)
export LINKWORK_TEST_POSTGRES ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable

.PHONY: run demo test test-go test-browser assets build lint fuzz replica clean postgres bench

## run: build linkwork and start it on an embedded SQLite database (linkwork.db)
run: build
	./$(BIN) serve

## demo: load the demonstration place into linkwork.db, then start linkwork
demo: build
	./$(BIN) demo || true
	./$(BIN) serve

## build: the binary, with the NHS.UK frontend embedded
build: assets
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/linkwork

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

## assets: build the NHS.UK frontend from npm into web/static/nhsuk
assets: web/static/nhsuk/nhsuk.css

web/static/nhsuk/nhsuk.css: node_modules/.package-lock.json web/scss/nhsuk.scss scripts/copy-assets.mjs
	npm run build --silent

## test: every test: Go (SQLite and PostgreSQL), lint, and the browser tests
test: postgres assets lint test-go test-browser

## postgres: make sure the PostgreSQL the tests use is running
postgres:
	@scripts/ensure-postgres.sh

test-go:
	$(GO) test -count=1 ./...

## test-browser: headless Chromium signs in and checks every page, with axe-core
test-browser: build
	@scripts/ensure-chromium.sh
	npm run test:browser --silent

## lint: gofmt, go vet, staticcheck and govulncheck
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
	@scripts/vulncheck.sh

## replica: the read-replica recipe (a primary and a hot standby) and its test
replica:
	@scripts/replica.sh

## bench: load-test linkwork with wrk on a generated place, on SQLite and PostgreSQL, with
## each endpoint's floors and the Go benchmarks, and write the table into docs/performance.md
## (SCALE=place|region|national, BENCH_DB=sqlite|postgres; see docs/performance.md)
SCALE ?= place
bench: build
	SCALE=$(SCALE) $(GO) run ./cmd/benchreport

## fuzz: run each fuzz target for a short while (FUZZTIME=30s for longer)
FUZZTIME ?= 10s
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf bin web/static/nhsuk
