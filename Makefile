# relkit: `make demo` and `make test` work on a fresh Debian machine with Swift installed;
# they install what is missing first (libgit2-dev, pkg-config, git, Python's packaging).

SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBUG_BIN := .build/debug/relkit
RELEASE_BIN := .build/release/relkit

.PHONY: all deps build release test demo install install-files man completions fuzz bench bench-normalize bench-check bench-release bench-backport clean

all: build

# Install system packages only when missing; apt-get update first, as on a fresh machine.
deps:
	@missing=""; \
	pkg-config --exists libgit2 2>/dev/null || missing="$$missing libgit2-dev pkg-config"; \
	command -v git >/dev/null || missing="$$missing git"; \
	command -v python3 >/dev/null || missing="$$missing python3 python3-pip"; \
	if [ -n "$$missing" ]; then \
		echo "make: installing$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@python3 -c 'import packaging.version' 2>/dev/null || { \
		echo "make: installing Python's packaging (for the differential test)"; \
		python3 -m pip install --quiet packaging 2>/dev/null || python3 -m pip install --quiet --break-system-packages packaging; }

build: deps
	$(SWIFT) build

# Static Swift runtime: a self-contained binary that starts in half the time.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib

# The tests are Swift Testing's (XCTest reports 0 of its own); the last line sums them up.
test: deps
	$(SWIFT) build --build-tests
	set -o pipefail; $(SWIFT) test 2>&1 | tee .build/test.log
	@echo "relkit check on relkit's own repository:"
	$(DEBUG_BIN) check
	@echo "make install-files (debug binary) into a scratch PREFIX:"
	$(MAKE) --no-print-directory man completions
	bash Tests/Scripts/check-install.sh $(DEBUG_BIN)
	@echo "the end-to-end tests again, on the release binary (static: it links less than the debug one):"
	$(SWIFT) build -c release --static-swift-stdlib
	set -o pipefail; RELKIT_BINARY=$(CURDIR)/$(RELEASE_BIN) $(SWIFT) test --skip-build --filter RelKitEndToEndTests 2>&1 | tee .build/test-release.log
	$(RELEASE_BIN) check
	@count=$$(sed -n 's/.*Test run with \([0-9]*\) tests.* passed.*/\1/p' .build/test.log | tail -1); \
	again=$$(sed -n 's/.*Test run with \([0-9]*\) tests.* passed.*/\1/p' .build/test-release.log | tail -1); \
	echo "tests: $${count:-0} passed, 0 failed ($${again:-0} end-to-end tests passed again on the release binary)"

demo: build
	bash Examples/demo.sh $(DEBUG_BIN)

# The manual and the completions come from the command definitions (ArgumentParser): the
# generate-manual plugin and `relkit --generate-completion-script`.
MANUAL := .build/plugins/GenerateManual/outputs/relkit/relkit.1
BIN ?= $(RELEASE_BIN)

man: build
	$(SWIFT) package generate-manual --configuration debug --authors "relkit developers"

completions: build
	mkdir -p .build/completions
	for shell in bash zsh fish; do $(DEBUG_BIN) --generate-completion-script $$shell >.build/completions/relkit.$$shell; done

install: release man completions
	$(MAKE) --no-print-directory install-files BIN=$(RELEASE_BIN)

# The binary BIN, the man page and the completions under PREFIX (DESTDIR for packaging).
install-files:
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/relkit
	install -m 644 $(MANUAL) $(DESTDIR)$(PREFIX)/share/man/man1/relkit.1
	install -m 644 .build/completions/relkit.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/relkit
	install -m 644 .build/completions/relkit.zsh $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_relkit
	install -m 644 .build/completions/relkit.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/relkit.fish

# libFuzzer targets (Fuzz/README.md): FUZZ_SECONDS per target, 600 by default.
FUZZ_SECONDS ?= 600
fuzz: deps
	bash Fuzz/run.sh $(FUZZ_SECONDS)

# Benchmarks against the peers, run on a release build (see Benchmarks/README.md).
bench: bench-normalize bench-check bench-release bench-backport

bench-normalize: release
	bash Benchmarks/normalize.sh $(RELEASE_BIN)

bench-check: release
	bash Benchmarks/check.sh $(RELEASE_BIN)

bench-release: release
	bash Benchmarks/release.sh $(RELEASE_BIN)

bench-backport: release
	bash Benchmarks/backport.sh $(RELEASE_BIN)

clean:
	rm -rf .build
