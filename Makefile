# kefu — see README.md. `make run` and `make test` are the two commands that matter.
GO        ?= go
BIN       := bin/kefu
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
# staticcheck 2025.1.1 (the module proxy serves it by its module version)
STATICCHECK_VERSION := v0.6.1

.PHONY: run build ui ui-if-node test test-deps lint bench clean

## run: start kefu on the embedded defaults (SQLite + in-process Redis) with a demo tenant
run: ui-if-node build
	./$(BIN) serve --demo --log-format text

## ui: build the web console into server/internal/webui/ui/dist (embedded by `build`)
ui:
	cd admin-ui && npm ci --no-audit --no-fund && npm run build

# The console is optional for the binary: without Node.js, kefu serves a page that
# says how to build it, and the API works.
ui-if-node:
	@if command -v node >/dev/null 2>&1 && [ -f admin-ui/package.json ]; then \
		$(MAKE) ui; \
	else \
		echo "make: Node.js not found: building kefu without the web console (the API works; see README)"; \
	fi

## build: compile the kefu binary into bin/
build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./server/cmd/kefu

## test: vet, the Go suite on SQLite and (when reachable) PostgreSQL + Redis, the sdk,
## the console's component tests, and the browser suite (installs what it needs)
test: test-deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 25m ./...
	cd sdk && $(GO) test -count=1 ./...
	@if [ -d admin-ui/node_modules ]; then cd admin-ui && npm test && npm run check:api; \
	else echo "make: admin-ui not installed (no Node.js?): console component tests skipped"; fi

# What the browser suite needs: the console built into the binary, playwright-core,
# and Debian's Chromium (playwright's own browser download cannot work offline).
test-deps: ui-if-node
	@if command -v node >/dev/null 2>&1; then cd e2e/browser && npm ci --no-audit --no-fund; fi
	@if [ -z "$$KEFU_CHROMIUM" ] && [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "make: installing Debian's chromium for the browser suite"; \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "make: no Chromium (apt-get install chromium): the browser suite will be skipped"; fi; \
	fi

## lint: go vet + staticcheck
lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	test -z "$$(gofmt -l server tenants sdk migrations e2e)"

## bench: benchmarks that print their figures
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2000x ./server/internal/authz/
	$(GO) test -run '^$$' -bench . -benchmem ./server/internal/identity/password/
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./server/internal/knowledge/search/
	$(GO) test -run '^$$' -bench 'Predict10k' -benchtime 3000x -benchmem ./server/internal/bot/nlu/
	cd sdk && $(GO) test -run '^$$' -bench RoundTrip -benchtime 20000x ./examples/echo
	$(GO) test -run '^$$' -bench RoutingLatency -benchtime 1x ./server/internal/routing/routingdb/
	bash bench/chat.sh

clean:
	rm -rf bin
