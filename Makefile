# replsync. `make demo` and `make test` are all a fresh clone needs.
SHELL       := /bin/bash
GO          ?= go
BIN         := bin
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOFILES      = $(shell git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')

.PHONY: all build demo test lint vet staticcheck fmt-check cfn-lint unit bench fuzz clean build-ReplsyncFunction

all: build

## build: the daemon (bin/replsync-daemon, for this machine) and the Lambda
## function (bin/lambda/bootstrap, linux/arm64, what sam build makes)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN)/replsync-daemon ./cmd/daemon
	$(MAKE) --no-print-directory build-ReplsyncFunction ARTIFACTS_DIR=$(CURDIR)/$(BIN)/lambda

## build-ReplsyncFunction: the Lambda bootstrap, as `sam build` asks for it (template.yaml,
## BuildMethod: makefile; sam sets ARTIFACTS_DIR): provided.al2023 on arm64
build-ReplsyncFunction:
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 1; }
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -o $(ARTIFACTS_DIR)/bootstrap ./cmd/lambda

## demo: the real daemon against the local S3 Tables emulator (no AWS account)
demo: build
	@$(GO) run ./internal/cmd/demo --daemon $(BIN)/replsync-daemon --config examples/replication.yaml

## test: everything CI checks: formatting, vet, staticcheck, cfn-lint, the race-enabled test suite
test: lint cfn-lint unit

unit:
	$(GO) test -race -count=1 ./...

lint: fmt-check vet staticcheck

fmt-check:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

staticcheck:
	$(GO) run $(STATICCHECK) ./...

# cfn-lint (with its SAM translator) checks template.yaml. Missing, it is a
# failure when REPLSYNC_REQUIRE_TOOLS=1 (CI), else a skip notice.
cfn-lint:
	@if command -v cfn-lint >/dev/null 2>&1; then \
		echo "cfn-lint template.yaml"; cfn-lint template.yaml; \
	elif [ "$$REPLSYNC_REQUIRE_TOOLS" = 1 ]; then \
		echo "cfn-lint is required (REPLSYNC_REQUIRE_TOOLS=1) but not installed" >&2; exit 1; \
	else \
		echo "SKIP: cfn-lint not installed; template.yaml was not linted"; \
	fi

## bench: benchmarks with figures (raw output in bin/bench.txt; see BENCHMARKS.md)
BENCHPKGS := ./pkg/config ./pkg/sync ./tests
bench:
	@mkdir -p $(BIN)
	set -o pipefail; $(GO) test -run '^$$' -bench . -benchmem -timeout 30m $(BENCHPKGS) | tee $(BIN)/bench.txt
	@echo
	@$(GO) run ./internal/cmd/benchsummary < $(BIN)/bench.txt

## fuzz: longer fuzzing runs, FUZZTIME per target (the seed corpora run in make test)
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./pkg/config
	$(GO) test -run '^$$' -fuzz '^FuzzPlan$$' -fuzztime $(FUZZTIME) ./pkg/sync

clean:
	rm -rf $(BIN)
