# Ghișeu: the two commands are `make run` and `make test`. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
BIN := $(CURDIR)/bin
GO ?= go

# Tools installed into bin/ (git-ignored), pinned. A stamp per version makes
# a version bump reinstall.
VERSITYGW_VERSION := v1.8.0
MAILPIT_VERSION := v1.27.11
STATICCHECK_VERSION := v0.8.2

RACE_PACKAGES := ./shared/runtime/... ./shared/events/... ./infra/devbroker/...

# The packages whose tests depend on the day (role validity, request deadlines, handle-request's
# deadline watch in the e2e tests named, role assignments seeded from yesterday), run again by
# `make test` with the test databases' time zone (TEST_DATABASE_TIMEZONE, see shared/db/dbtest)
# a day off Bucharest's: UTC-22 puts the database's day before Bucharest's at every hour, as on
# a server on UTC between 22:00 and 24:00; UTC+27 after it (by two days in some hours, summer
# or winter). A test or a query taking the database's current_date for the institution's day
# fails there whatever the hour of the run.
DAY_SHIFTED_ZONES := <-22>+22 <+27>-27
DAY_SHIFTED_PACKAGES := ./shared/db/dbtest/ ./shared/roles/ ./shared/access/ ./shared/institutions/ ./shared/requests/ \
	./functions/notify/ ./functions/request-types/ ./functions/filing-plan/
DAY_SHIFTED_E2E := ^(TestRoleAssignmentByHTTP|TestRoleAssignmentByEvent|TestStaffWorkOnARequestToItsAnswer)$$

.PHONY: run test bench tools postgres node chromium web lint build migrate deadletters replay audit-verify restore clean-local

## run: start the whole platform on this machine (Ctrl-C stops it; data stays in .local/)
run: tools web
	$(GO) build -o $(BIN)/devstack ./infra/cmd/devstack
	$(BIN)/devstack run

## test: lint, then every test against real PostgreSQL, S3 (versitygw) and SMTP (Mailpit)
# (web first: the tests of `make run` start the web function, which serves web/dist)
test: tools lint web chromium
	$(GO) build -o $(BIN)/devstack ./infra/cmd/devstack
	$(BIN)/devstack exec -- $(GO) test -count=1 ./...
	$(BIN)/devstack exec -- $(GO) test -count=1 -race $(RACE_PACKAGES)
	$(BIN)/devstack exec -- bash -euc 'for zone in $(foreach z,$(DAY_SHIFTED_ZONES),"$(z)"); do \
		echo "the test databases in time zone $$zone"; \
		TEST_DATABASE_TIMEZONE=$$zone $(GO) test -count=1 $(DAY_SHIFTED_PACKAGES); \
		TEST_DATABASE_TIMEZONE=$$zone $(GO) test -count=1 -run "$(DAY_SHIFTED_E2E)" ./tests/e2e/; \
	done'
	# The backup's goroutines under the race detector; not its memory test, which the
	# detector's own shadow memory would swamp.
	$(BIN)/devstack exec -- $(GO) test -count=1 -race -run 'TestBackupRestoresIdentically|TestKilledDumpLeavesNoCompleteBackup|TestFailedVerificationIsRecorded|TestDisasterDrill' ./shared/backup/
	cd tests/manifests && $(GO) test -count=1 ./...
	# The web app: its unit tests, then the browser journeys in Debian's Chromium against the
	# whole platform (accessibility checked, screenshots in web/e2e/artifacts).
	cd web && npm test && npm run size
	$(BIN)/devstack exec -platform -- npm --prefix web run e2e

## bench: long load runs, never part of `make test`; method and results in BENCHMARKS.md
bench: tools web chromium
	$(GO) build -o $(BIN)/devstack ./infra/cmd/devstack
	$(BIN)/devstack exec -- $(GO) test -count=1 -run '^$$' -bench '^BenchmarkRegistrationThroughput$$' -benchtime 1x -timeout 30m ./tests/load/ \
		-args -registration.clients=16 -registration.duration=30s -registration.rounds=6
	$(BIN)/devstack exec -- $(GO) test -count=1 -v -run '^$$' -bench '^BenchmarkSearch$$' -benchtime 400x -timeout 60m ./tests/load/
	$(BIN)/devstack exec -- $(GO) test -count=1 -v -run '^TestSubmissionLoad$$' -timeout 30m ./tests/e2e/ \
		-args -submission.rates=5,10,15,20,25,30,40 -submission.duration=30s
	$(BIN)/devstack exec -- $(GO) test -count=1 -run '^$$' -bench '^BenchmarkBackupThroughput$$' -benchtime 1x -timeout 30m ./shared/backup/
	# The portal's home page in headless Chromium, cold and warm.
	$(BIN)/devstack exec -platform -- node web/scripts/home-load.mjs

## tools: install what the local stack needs (PostgreSQL, versitygw, Mailpit, staticcheck)
tools: postgres $(BIN)/.versitygw-$(VERSITYGW_VERSION) $(BIN)/.mailpit-$(MAILPIT_VERSION) $(BIN)/.staticcheck-$(STATICCHECK_VERSION)

$(BIN)/.versitygw-$(VERSITYGW_VERSION):
	GOBIN=$(BIN) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VERSION)
	touch $@

$(BIN)/.mailpit-$(MAILPIT_VERSION):
	GOBIN=$(BIN) $(GO) install github.com/axllent/mailpit@$(MAILPIT_VERSION)
	touch $@

$(BIN)/.staticcheck-$(STATICCHECK_VERSION):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	touch $@

# The web app (web/, Vite + Preact) built into web/dist/, which the web function serves (and
# ko puts in its image through functions/web/kodata). Rebuilt when a file under web/ changes:
# the stamp is web/dist/index.html, which every build writes.
WEB_SOURCES := $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print 2>/dev/null)

## web: build the web app into web/dist (npm ci, npm run build)
web: web/dist/index.html

web/dist/index.html: $(WEB_SOURCES) | node
	cd web && npm ci && npm run build
	touch $@

# Debian's Chromium, which the browser tests drive (a test tool's own browser download does not
# work here): installed when missing and we are root; otherwise the exact command is printed.
chromium:
	@if command -v chromium >/dev/null; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing Chromium from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "chromium is not installed: run  sudo apt-get install -y chromium"; exit 1; \
	fi

# Node.js and npm for the web app's build: installed from Debian when missing and we are root;
# otherwise the exact command is printed.
node:
	@if command -v npm >/dev/null; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing Node.js and npm from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; \
	else \
		echo "npm is not installed: run  sudo apt-get install -y nodejs npm"; exit 1; \
	fi

# PostgreSQL's server binaries: installed from Debian when missing and we are
# root; otherwise the exact command is printed. DATABASE_URL skips this.
postgres:
	@if [ -n "$${DATABASE_URL:-}" ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || command -v postgres >/dev/null; then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing PostgreSQL from Debian"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	else \
		echo "PostgreSQL is not installed: run  sudo apt-get install -y postgresql  (or set DATABASE_URL)"; exit 1; \
	fi

## lint: gofmt, go vet and staticcheck over both modules
lint: $(BIN)/.staticcheck-$(STATICCHECK_VERSION)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(BIN)/staticcheck ./...
	cd tests/manifests && $(GO) vet ./... && $(BIN)/staticcheck ./...

build:
	$(GO) build ./...

## migrate: apply database migrations (MIGRATE_DATABASE_URL, or the running local stack)
migrate:
	$(GO) run ./infra/cmd/migrate

## deadletters: list events that subscribers kept refusing
deadletters:
	$(GO) run ./infra/cmd/deadletters list

## replay: replay dead letters: make replay IDS="12 13", or every pending one: make replay IDS=-pending
replay:
	$(GO) run ./infra/cmd/deadletters replay $(IDS)

## audit-verify: recompute every audit chain, compare it with the newest anchor, name the first broken or missing row
audit-verify:
	$(GO) run ./infra/cmd/audit verify

## restore: restore a backup (the newest, or BACKUP=<id>) into an empty database and documents bucket; see README
restore:
	$(GO) run ./infra/cmd/restore $(if $(BACKUP),-backup $(BACKUP))

## clean-local: delete the local stack's data (.local/)
clean-local:
	rm -rf .local
