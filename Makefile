# gostack: common developer commands.  `make test` is what CI runs (.ci/run).

GO ?= go
TEMPEST_MIN_PASS ?= 130
export TEMPEST_MIN_PASS

.PHONY: all build test test-long vet unit acceptance tempest fuzz bench clean

all: build

build:
	$(GO) build -o bin/gostack ./cmd/gostack

# everything CI runs: deps, PostgreSQL, vet, unit (SQLite + PostgreSQL),
# acceptance with the openstack CLI, Tempest identity, short fuzzing
test:
	tools/test.sh

test-long:
	tools/test.sh --long

vet:
	$(GO) vet ./...

unit:
	$(GO) test ./...

acceptance: build
	GOSTACK_BIN=$(CURDIR)/bin/gostack $(GO) test -tags acceptance -count=1 -v ./tests/acceptance/...

tempest: build
	tests/tempest/run.sh --gostack $(CURDIR)/bin/gostack --list identity --min-pass $(TEMPEST_MIN_PASS)

fuzz:
	tools/test.sh --only fuzz

bench:
	bench/run.sh 3

clean:
	rm -rf bin bench/out tests/tempest/workspace
