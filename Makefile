# relkit: `make demo` and `make test` work on a fresh Debian machine with Swift installed;
# they install what is missing first (libgit2-dev, libyaml-dev, pkg-config, git, Python's packaging, alembic and towncrier).

SHELL := /bin/bash
PREFIX ?= /usr/local
SWIFT ?= swift
# The towncrier the release notes tests compare with (make deps installs it, here and in the Debian 13 root).
TOWNCRIER_VERSION := 26.9.0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBUG_BIN := .build/debug/relkit
RELEASE_BIN := .build/release/relkit
STATIC_BIN := .build-static/release/relkit
# The Swift runtime linked in on Linux (--static-swift-stdlib); macOS has it in the system.
STATIC_STDLIB := $(shell [ "$$(uname -s)" = Linux ] && echo --static-swift-stdlib)
# The static build (RELKIT_STATIC_LIBGIT2=1): libgit2's calls that Sources/StaticLinkStubs stands
# in for (its stubs.c says why), sent there by GNU ld. On the command line, not in Package.swift,
# so that the package has no unsafe flags.
STATIC_LINK_WRAPS := mbedtls_x509_crt_parse_file mbedtls_havege_init mbedtls_havege_random git_transport_ssh_global_init
STATIC_BUILD := RELKIT_STATIC_LIBGIT2=1 $(SWIFT) build --scratch-path .build-static $(foreach symbol,$(STATIC_LINK_WRAPS),-Xlinker --wrap=$(symbol))
# How many tests a swift test log says passed.
tests_passed = $$(sed -n 's/.*Test run with \([0-9]*\) tests.* passed.*/\1/p' $(1) | tail -1)

.PHONY: all deps resolve build release release-static dist test-wheel test lint docs quick test-faults test-debian12 test-static test-debian13 demo install install-files man completions fuzz bench bench-normalize bench-check bench-release bench-backport bench-backport-range bench-startup bench-fastpaths bench-upgrade bench-install bench-scale clean

all: build

# Install system packages only when missing; apt-get update first, as on a fresh machine.
# (strace: the fault-injection suite, make test-faults; openssh-server: the push tests' ssh server;
# python3-venv: the wheel's tests, make test-wheel.)
# (Other systems: see README's install section; these checks then find everything present.)
deps:
	@missing=""; \
	pkg-config --exists libgit2 2>/dev/null || missing="$$missing libgit2-dev pkg-config"; \
	pkg-config --exists yaml-0.1 2>/dev/null || missing="$$missing libyaml-dev"; \
	command -v git >/dev/null || missing="$$missing git"; \
	command -v python3 >/dev/null || missing="$$missing python3 python3-pip"; \
	command -v strace >/dev/null || missing="$$missing strace"; \
	[ -x /usr/sbin/sshd ] || missing="$$missing openssh-server"; \
	python3 -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
		command -v apt-get >/dev/null || { echo "make: missing$$missing (install libgit2's and libyaml's development files, pkg-config, git, python3)"; exit 2; }; \
		echo "make: installing$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@# packaging 26 or later: the PEP 440 reference of the differential test (earlier releases
	@# accept non-ASCII letters in local versions).
	@python3 -c 'import sys, packaging; sys.exit(int(packaging.__version__.split(".")[0]) < 26)' 2>/dev/null || { \
		echo "make: installing Python's packaging>=26 (for the differential test)"; \
		python3 -m pip install --quiet 'packaging>=26' 2>/dev/null || python3 -m pip install --quiet --break-system-packages 'packaging>=26'; }
	@# alembic: the reference of the migration differential test (relkit upgrade).
	@python3 -c 'import alembic' 2>/dev/null || { \
		echo "make: installing Python's alembic (for the migration differential test)"; \
		python3 -m pip install --quiet alembic 2>/dev/null || python3 -m pip install --quiet --break-system-packages alembic; }
	@# towncrier, pinned: the reference of the release notes tests (check --notes).
	@python3 -c 'import sys, importlib.metadata as m; sys.exit(m.version("towncrier") != "$(TOWNCRIER_VERSION)")' 2>/dev/null || { \
		echo "make: installing towncrier $(TOWNCRIER_VERSION) (for the release notes tests)"; \
		python3 -m pip install --quiet 'towncrier==$(TOWNCRIER_VERSION)' 2>/dev/null || python3 -m pip install --quiet --break-system-packages 'towncrier==$(TOWNCRIER_VERSION)'; }

# The Swift packages fetched as a step of their own, once more if the first try fails (a first
# fetch into a new SwiftPM cache once failed with "cannot change to" a cache directory).
resolve: deps
	@$(SWIFT) package resolve >/dev/null 2>&1 || { echo "make: swift package resolve failed; trying once more"; $(SWIFT) package resolve; }

build: resolve
	$(SWIFT) build

# The release binary: the system's libgit2, the Swift runtime linked in (Linux).
release: resolve
	$(SWIFT) build -c release $(STATIC_STDLIB)

# Opt-in packaging step: a self-contained binary (libgit2 and its libraries linked in from their
# archives, with Sources/StaticLinkStubs), Linux and GNU ld only. Checks what it needs first.
release-static: resolve
	bash Scripts/static-prerequisites.sh
	$(STATIC_BUILD) -c release --static-swift-stdlib
	@echo "make: $(STATIC_BIN)"

# The wheel of the static binary (`pip install relkit`): Scripts/build-wheel.sh says how.
dist: release-static man
	bash Scripts/build-wheel.sh $(STATIC_BIN) $(MANUAL) dist

# The wheel installed as users install it (pip, pipx, pre-commit, action.yml; Debian 12 and a Debian
# 13 root with no libgit2, Swift or compiler): Scripts/test-wheel.sh says what it checks.
test-wheel: dist
	set -o pipefail; bash Scripts/test-wheel.sh 2>&1 | tee .build/test-wheel.log

# Every test: on this machine (the default build), the static build's own checks, and the whole
# suite again on Debian 13 (libgit2 1.9, git 2.47). The last line sums them up.
test: test-debian12 test-faults test-static test-wheel test-debian13
	@count=$(call tests_passed,.build/test.log); static=$(call tests_passed,.build/test-static.log); \
	trixie=$(call tests_passed,.build/test-debian13.log); wheel=$$(sed -n 's/^wheel: \([0-9]*\) checks passed.*/\1/p' .build/test-wheel.log); \
	echo "tests: $$(( $${count:-0} + $${static:-0} + $${trixie:-0} + $${wheel:-0} )) passed, 0 failed ($${count:-0} here, $${static:-0} on the static binary, $${wheel:-0} of the wheel, $${trixie:-0} on Debian 13)"

# The toolchain's swift-format, strict, with .swift-format (`swift format -i -r Sources Tests
# Fuzz/Sources` applies it). Part of make test.
lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Fuzz/Sources

# The DocC catalogs of the three libraries (Sources/*/*.docc), warnings as errors; archives in
# .build/plugins/Swift-DocC/outputs. Part of make test.
docs: resolve
	$(SWIFT) package --disable-sandbox generate-documentation --target RelKitCore --target RelKit --target GitKit --warnings-as-errors

# The inner loop: unit, GitKit and integration tests, no end-to-end ones (a few minutes).
quick: resolve
	set -o pipefail; $(SWIFT) test --filter 'RelKitCoreTests|GitKitTests|RelKitTests' 2>&1 | tail -3

# The tests are Swift Testing's (XCTest reports 0 of its own).
test-debian12: resolve lint docs
	$(SWIFT) build --build-tests
	set -o pipefail; $(SWIFT) test 2>&1 | tee .build/test.log
	@echo "relkit check on relkit's own repository:"
	$(DEBUG_BIN) check
	@echo "make install-files (debug binary) into a scratch PREFIX:"
	$(MAKE) --no-print-directory man completions
	bash Tests/Scripts/check-install.sh $(DEBUG_BIN)
	bash Tests/Scripts/check-consumer.sh
	bash Tests/Scripts/check-docs.sh $(DEBUG_BIN)

# relkit killed at every mutating system call (strace), on a full tmpfs and with read-only
# directories (docs/guarantees.md); as root, for the tmpfs and the unprivileged runs.
test-faults: build
	python3 Tests/Faults/faults.py $(DEBUG_BIN) --report .build/faults.json

# The static binary: the end-to-end tests on it (it links no libgit2 at run time), and the stubs'
# own tests in a static build of the test bundle.
test-static: release-static
	$(STATIC_BUILD) --build-tests
	set -o pipefail; RELKIT_STATIC_LIBGIT2=1 RELKIT_EXPECT_STATIC=1 RELKIT_BINARY=$(CURDIR)/$(STATIC_BIN) \
		$(SWIFT) test --skip-build --scratch-path .build-static --filter 'RelKitEndToEndTests|StaticLinkTests' 2>&1 | tee .build/test-static.log
	$(STATIC_BIN) check

test-debian13:
	bash Scripts/test-debian13.sh

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
bench: bench-normalize bench-check bench-release bench-backport bench-backport-range bench-startup bench-fastpaths bench-upgrade bench-install

INVALID ?= 0
bench-normalize: release
	bash Benchmarks/normalize.sh $(RELEASE_BIN) --invalid $(INVALID)

bench-check: release
	bash Benchmarks/check.sh $(RELEASE_BIN)

bench-release: release
	bash Benchmarks/release.sh $(RELEASE_BIN)

bench-upgrade: release
	bash Benchmarks/upgrade.sh $(RELEASE_BIN)

bench-backport: release
	bash Benchmarks/backport.sh $(RELEASE_BIN)

# Long backports: 100, 300 and 1,000 picks against git cherry-pick A..B.
bench-backport-range: release
	python3 Benchmarks/bench_backport_range.py $(RELEASE_BIN)

# Each fast path on and off (docs/ARCHITECTURE.md), on the static binary.
bench-fastpaths: release-static
	python3 Benchmarks/bench_fastpaths.py $(STATIC_BIN)

# Process start and a one-commit backport: the default (dynamic libgit2) and static binaries.
bench-startup: release release-static
	bash Benchmarks/startup.sh $(RELEASE_BIN) $(STATIC_BIN)

# At scale (issue 26): backport audit against git log --cherry-pick on generated histories of
# 10,000 and 30,000 commits a side (SIZES=10000,30000,100000 for more), time and peak memory.
SIZES ?= 10000,30000
bench-scale: release
	python3 Benchmarks/bench_scale.py $(RELEASE_BIN) --sizes $(SIZES)

# From nothing to the first relkit check: the wheel against the source build (and start-up of the
# wheel's stripped binary against the static one).
bench-install: dist
	python3 Benchmarks/bench_install.py $$(ls dist/relkit-*.whl | head -1) $(STATIC_BIN)

clean:
	rm -rf .build .build-static dist
